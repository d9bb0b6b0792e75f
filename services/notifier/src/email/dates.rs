//! Dates in emails, in the event's local time and the reader's language
//! ("martedì 2 marzo 2027, 18:00–20:00").

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use piazza_shared::contracts::Language;

const GIORNI: [&str; 7] = [
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
];
const MESI: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// When an occurrence takes place, in local time.
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz, language: Language) -> String {
    let (s, e) = (start.with_timezone(&zone), end.with_timezone(&zone));
    let weekday = s.weekday().num_days_from_monday() as usize;
    let month = s.month0() as usize;
    let hours = if s.date_naive() == e.date_naive() {
        format!("{}–{}", s.format("%H:%M"), e.format("%H:%M"))
    } else {
        format!("{} – {}", s.format("%H:%M"), e.format("%d/%m %H:%M"))
    };
    match language {
        Language::It => format!(
            "{} {} {} {}, {}",
            GIORNI[weekday],
            s.day(),
            MESI[month],
            s.year(),
            hours
        ),
        Language::En => format!(
            "{}, {} {} {}, {}",
            DAYS[weekday],
            s.day(),
            MONTHS[month],
            s.year(),
            hours
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_are_local_and_in_the_readers_language() {
        let start = Utc.with_ymd_and_hms(2027, 3, 30, 16, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2027, 3, 30, 18, 0, 0).unwrap();
        let rome = chrono_tz::Europe::Rome;
        assert_eq!(
            when(start, end, rome, Language::It),
            "martedì 30 marzo 2027, 18:00–20:00"
        );
        assert_eq!(
            when(start, end, rome, Language::En),
            "Tuesday, 30 March 2027, 18:00–20:00"
        );
    }
}
