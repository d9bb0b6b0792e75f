//! Reading times from requests: zones by IANA name, range bounds given as an RFC 3339 instant or
//! as a local date in the configured zone.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A day of the week as the API writes it (`mon` … `sun`), in opening hours and weekly slots.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// The RFC 5545 BYDAY code (`MO` … `SU`).
    pub fn byday(self) -> &'static str {
        match self {
            Weekday::Mon => "MO",
            Weekday::Tue => "TU",
            Weekday::Wed => "WE",
            Weekday::Thu => "TH",
            Weekday::Fri => "FR",
            Weekday::Sat => "SA",
            Weekday::Sun => "SU",
        }
    }

    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }

    pub fn of(day: chrono::Weekday) -> Self {
        Self::ALL[day.num_days_from_monday() as usize]
    }
}

/// A half-open span of time `[start, end)`.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// An IANA zone by name, e.g. `Europe/Rome`.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>()
        .map_err(|_| format!("unknown time zone `{name}` (use an IANA name such as Europe/Rome)"))
}

/// An RFC 3339 instant with offset.
pub fn parse_instant(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("`{value}` is not an RFC 3339 instant with offset (2027-03-02T18:00:00+01:00)")
        })
}

/// Which end of a range a bound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `from`: a date means the start of that day.
    Start,
    /// `to`: a date means the end of that day (the start of the next).
    End,
}

/// A `YYYY-MM-DD` date, exactly (RFC 3339 `full-date`, the OpenAPI `date` format):
/// `NaiveDate::parse_from_str` alone also takes `2027-3-2` and signed or longer years.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
}

/// A range bound: an RFC 3339 instant, or a `YYYY-MM-DD` date read in `zone`.
pub fn parse_bound(value: &str, zone: Tz, bound: Bound) -> Result<DateTime<Utc>, String> {
    if let Some(date) = parse_date(value) {
        let day = match bound {
            Bound::Start => date,
            Bound::End => date
                .succ_opt()
                .ok_or_else(|| "date out of range".to_string())?,
        };
        return Ok(start_of_day(day, zone));
    }
    parse_instant(value)
        .map_err(|_| format!("`{value}` is neither an RFC 3339 instant nor a date (YYYY-MM-DD)"))
}

/// Local midnight of `date` in `zone` as an instant; where midnight does not exist (a DST jump at
/// 00:00), the first instant of the day.
pub fn start_of_day(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN), zone)
}

/// A local wall-clock time in `zone` as an instant, following RFC 5545: an ambiguous time (the
/// repeated hour in autumn) means its first occurrence; a nonexistent one (the skipped hour in
/// spring) is moved forward by the length of the gap.
pub fn local_to_utc(local: chrono::NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    use chrono::LocalResult;
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Interpret the wall time with the offset in force just before the gap.
            let before = local - chrono::Duration::hours(3);
            let offset = match zone.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => *t.offset(),
                LocalResult::None => return Utc.from_utc_datetime(&local),
            };
            let utc = local
                - chrono::Duration::seconds(i64::from(
                    chrono::Offset::fix(&offset).local_minus_utc(),
                ));
            Utc.from_utc_datetime(&utc)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Rome;

    #[test]
    fn a_date_bound_is_read_in_the_zone() {
        let from = parse_bound("2027-03-28", Rome, Bound::Start).unwrap();
        assert_eq!(from.to_rfc3339(), "2027-03-27T23:00:00+00:00");
        let to = parse_bound("2027-03-28", Rome, Bound::End).unwrap();
        // The night of the change to summer time: the next midnight is at UTC+2.
        assert_eq!(to.to_rfc3339(), "2027-03-28T22:00:00+00:00");
    }

    #[test]
    fn an_instant_bound_keeps_its_offset() {
        let t = parse_bound("2027-03-02T18:00:00+01:00", Rome, Bound::Start).unwrap();
        assert_eq!(t.to_rfc3339(), "2027-03-02T17:00:00+00:00");
        assert!(parse_bound("2027-03-02T18:00:00", Rome, Bound::Start).is_err());
    }

    #[test]
    fn nonexistent_and_repeated_local_times_follow_rfc_5545() {
        let skipped = NaiveDate::from_ymd_opt(2027, 3, 28)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        // 02:30 does not exist in Rome that night; RFC 5545 reads it as 03:30 CEST = 01:30 UTC.
        assert_eq!(
            local_to_utc(skipped, Rome).to_rfc3339(),
            "2027-03-28T01:30:00+00:00"
        );
        let repeated = NaiveDate::from_ymd_opt(2027, 10, 31)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        // 02:30 happens twice; the first (CEST) is meant: 00:30 UTC.
        assert_eq!(
            local_to_utc(repeated, Rome).to_rfc3339(),
            "2027-10-31T00:30:00+00:00"
        );
    }

    #[test]
    fn a_date_is_exactly_yyyy_mm_dd() {
        assert_eq!(
            parse_date("2027-03-02"),
            NaiveDate::from_ymd_opt(2027, 3, 2)
        );
        for bad in [
            "2027-3-2",
            "2027-03-2",
            "+2027-03-02",
            "02027-03-02",
            "2027-02-30",
            " 2027-03-02",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(parse_bound("2027-3-2", Rome, Bound::Start).is_err());
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(parse_zone("Europe/Cremona").is_err());
        assert_eq!(parse_zone("Europe/Rome").unwrap(), Rome);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// What is read as a date or an instant is read without panicking, and a date read is
        /// the one its text writes.
        #[test]
        fn any_text_is_read_or_refused(text in "\\PC{0,40}") {
            if let Some(date) = parse_date(&text) {
                prop_assert_eq!(date.format("%Y-%m-%d").to_string(), text.clone());
            }
            let _ = parse_instant(&text);
            let _ = parse_zone(&text);
            let _ = parse_bound(&text, chrono_tz::Europe::Rome, Bound::End);
        }

        /// Every date and every instant reads back as itself.
        #[test]
        fn dates_and_instants_round_trip(days in -300_000i64..300_000, seconds in 0i64..86_400, offset in -14i32 * 60..=14 * 60) {
            let date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(days);
            if (0..=9999).contains(&chrono::Datelike::year(&date)) {
                prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Some(date));
            }
            let zone = chrono::FixedOffset::east_opt(offset * 60).unwrap();
            let instant = date.and_time(NaiveTime::MIN) + chrono::Duration::seconds(seconds);
            let text = zone.from_utc_datetime(&instant).to_rfc3339();
            if (0..=9999).contains(&chrono::Datelike::year(&instant)) {
                prop_assert_eq!(parse_instant(&text), Ok(Utc.from_utc_datetime(&instant)));
            }
        }
    }
}
