//! Words and dates as people read them, in Italian or English: category and status names, and
//! instants shown in the place's own time zone.

use super::Lang;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

const CATEGORIES: [(&str, &str, &str); 11] = [
    ("music", "Musica", "Music"),
    ("theatre", "Teatro", "Theatre"),
    ("dance", "Danza", "Dance"),
    ("cinema", "Cinema", "Cinema"),
    ("visual_arts", "Arti visive", "Visual arts"),
    ("literature", "Letteratura", "Literature"),
    ("workshop", "Laboratorio", "Workshop"),
    ("sport", "Sport", "Sport"),
    (
        "socio_educational",
        "Percorso socio-educativo",
        "Socio-educational pathway",
    ),
    ("civic", "Vita civica", "Civic life"),
    ("other", "Altro", "Other"),
];

const STATUSES: [(&str, &str, &str); 12] = [
    (
        "requested",
        "in attesa di approvazione",
        "awaiting approval",
    ),
    ("approved", "approvata", "approved"),
    ("rejected", "respinta", "rejected"),
    ("cancelled", "annullato", "cancelled"),
    ("draft", "bozza", "draft"),
    ("proposed", "proposto", "proposed"),
    ("scheduled", "in programma", "scheduled"),
    ("published", "pubblicato", "published"),
    ("needs_space", "senza spazio", "needs a space"),
    ("completed", "concluso", "completed"),
    ("pending", "spazio richiesto", "space requested"),
    ("confirmed", "spazio confermato", "space confirmed"),
];

fn look_up(table: &[(&str, &'static str, &'static str)], key: &str, lang: Lang) -> String {
    table
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, it, en)| lang.pick(it, en).to_string())
        .unwrap_or_else(|| key.replace('_', " "))
}

/// Every category as (value, label), in the vocabulary's order.
pub fn categories(lang: Lang) -> Vec<(&'static str, &'static str)> {
    CATEGORIES
        .iter()
        .map(|(k, it, en)| (*k, lang.pick(it, en)))
        .collect()
}

pub fn category(key: &str, lang: Lang) -> String {
    look_up(&CATEGORIES, key, lang)
}

pub fn status(key: &str, lang: Lang) -> String {
    if STATUSES.iter().any(|(k, _, _)| *k == key) {
        look_up(&STATUSES, key, lang)
    } else {
        look_up(&PLANNING_STATUSES, key, lang)
    }
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("lunedì", "Monday"),
    ("martedì", "Tuesday"),
    ("mercoledì", "Wednesday"),
    ("giovedì", "Thursday"),
    ("venerdì", "Friday"),
    ("sabato", "Saturday"),
    ("domenica", "Sunday"),
];

const MONTHS: [(&str, &str); 12] = [
    ("gennaio", "January"),
    ("febbraio", "February"),
    ("marzo", "March"),
    ("aprile", "April"),
    ("maggio", "May"),
    ("giugno", "June"),
    ("luglio", "July"),
    ("agosto", "August"),
    ("settembre", "September"),
    ("ottobre", "October"),
    ("novembre", "November"),
    ("dicembre", "December"),
];

pub fn weekday_name(day: NaiveDate, lang: Lang) -> &'static str {
    let (it, en) = WEEKDAYS[day.weekday().num_days_from_monday() as usize];
    lang.pick(it, en)
}

pub fn month_name(month: u32, lang: Lang) -> &'static str {
    let (it, en) = MONTHS[(month.clamp(1, 12) - 1) as usize];
    lang.pick(it, en)
}

/// `venerdì 5 marzo 2027` / `Friday 5 March 2027`.
pub fn date(day: NaiveDate, lang: Lang) -> String {
    format!(
        "{} {} {} {}",
        weekday_name(day, lang),
        day.day(),
        month_name(day.month(), lang),
        day.year()
    )
}

/// `venerdì 5 marzo 2027, 21:00–23:00` in `zone`; a span over midnight names both days.
pub fn span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, zone: Tz, lang: Lang) -> String {
    let start = starts_at.with_timezone(&zone);
    let end = ends_at.with_timezone(&zone);
    let hm = |t: &DateTime<Tz>| format!("{:02}:{:02}", t.hour(), t.minute());
    if start.date_naive() == end.date_naive() {
        format!(
            "{}, {}–{}",
            date(start.date_naive(), lang),
            hm(&start),
            hm(&end)
        )
    } else {
        format!(
            "{}, {} – {}, {}",
            date(start.date_naive(), lang),
            hm(&start),
            date(end.date_naive(), lang),
            hm(&end)
        )
    }
}

/// A local date and wall time in `zone` as an RFC 3339 instant with its offset. A time the
/// clock skips (spring forward) is refused; a repeated one takes its first occurrence.
pub fn local_instant(day: &str, time: &str, zone: Tz) -> Result<String, String> {
    let day =
        NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| "use YYYY-MM-DD".to_string())?;
    let time = NaiveTime::parse_from_str(time, "%H:%M").map_err(|_| "use HH:MM".to_string())?;
    zone.from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.to_rfc3339())
        .ok_or_else(|| "that time does not exist on that day (clocks change)".to_string())
}

/// `venerdì 5 marzo 2027, 20:00` in `zone`: one moment, not a span.
pub fn instant(at: DateTime<Utc>, zone: Tz, lang: Lang) -> String {
    let local = at.with_timezone(&zone);
    format!(
        "{}, {:02}:{:02}",
        date(local.date_naive(), lang),
        local.hour(),
        local.minute()
    )
}

/// `1 evento`, `3 eventi`: `n` with the singular or plural noun of `lang`.
pub fn count(n: u64, it: (&str, &str), en: (&str, &str), lang: Lang) -> String {
    let (one, many) = match lang {
        Lang::It => it,
        Lang::En => en,
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The states of seasons and proposals, and an event's space refused, which the statuses above
/// do not name.
const PLANNING_STATUSES: [(&str, &str, &str); 7] = [
    ("planning", "in preparazione", "being planned"),
    ("published", "pubblicata", "published"),
    ("archived", "archiviata", "archived"),
    ("submitted", "inviata", "submitted"),
    ("accepted", "accettata", "accepted"),
    ("declined", "respinta", "declined"),
    ("unavailable", "spazio non disponibile", "space unavailable"),
];

/// A season's or a proposal's state in words.
pub fn planning_status(key: &str, lang: Lang) -> String {
    look_up(&PLANNING_STATUSES, key, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_evening_in_rome_keeps_its_offset() {
        let rome: Tz = "Europe/Rome".parse().unwrap_or(Tz::UTC);
        assert_eq!(
            local_instant("2027-03-05", "21:00", rome).as_deref(),
            Ok("2027-03-05T21:00:00+01:00")
        );
        assert!(local_instant("2027-03-28", "02:30", rome).is_err());
        assert!(local_instant("5/3/2027", "21:00", rome).is_err());
    }

    #[test]
    fn spans_read_naturally_in_both_languages() {
        let rome: Tz = "Europe/Rome".parse().unwrap_or(Tz::UTC);
        let start = "2027-03-05T20:00:00Z".parse().unwrap_or_default();
        let end = "2027-03-05T22:00:00Z".parse().unwrap_or_default();
        assert_eq!(
            span(start, end, rome, Lang::It),
            "venerdì 5 marzo 2027, 21:00–23:00"
        );
        assert_eq!(
            span(start, end, rome, Lang::En),
            "Friday 5 March 2027, 21:00–23:00"
        );
    }
}
