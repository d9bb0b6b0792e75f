//! Weekly opening hours in a space's own zone. A space with no hours given is always open
//! (a square, say). A booking must fit inside one opening window of its local day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use piazza_shared::{http::Violations, time::local_to_utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The days of the week as every service writes them.
pub use piazza_shared::time::Weekday;

/// One opening window as clients send and read it: `HH:MM` local times; `closes` may be `24:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpeningHours {
    pub weekday: Weekday,
    #[schema(example = "09:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    #[schema(example = "19:00", pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub closes: String,
}

/// Validated opening windows, as minutes from local midnight.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeeklyHours(Vec<(Weekday, u32, u32)>);

pub(crate) fn minutes(text: &str) -> Option<u32> {
    if text == "24:00" {
        return Some(24 * 60);
    }
    let (h, m) = text.split_once(':')?;
    // Two ASCII digits each: `u32::from_str` alone would take `+9` as nine.
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl WeeklyHours {
    /// Checks each window, recording problems under `field[i].opens` / `.closes`.
    pub fn parse(hours: &[OpeningHours], field: &str, violations: &mut Violations) -> Self {
        let mut windows = Vec::with_capacity(hours.len());
        for (i, window) in hours.iter().enumerate() {
            let opens = minutes(&window.opens);
            let closes = minutes(&window.closes);
            if opens.is_none() || opens == Some(24 * 60) {
                violations.add(format!("{field}[{i}].opens"), "must be a time HH:MM");
            }
            if closes.is_none() {
                violations.add(
                    format!("{field}[{i}].closes"),
                    "must be a time HH:MM (or 24:00)",
                );
            }
            if let (Some(o), Some(c)) = (opens, closes) {
                if c <= o {
                    violations.add(format!("{field}[{i}].closes"), "must be after opens");
                } else {
                    windows.push((window.weekday, o, c));
                }
            }
        }
        for (i, a) in windows.iter().enumerate() {
            for b in &windows[i + 1..] {
                if a.0 == b.0 && a.1 < b.2 && b.1 < a.2 {
                    violations.add(
                        field,
                        format!("two windows overlap on {:?}", a.0).to_lowercase(),
                    );
                }
            }
        }
        WeeklyHours(windows)
    }

    /// Reads hours stored by this service (already valid).
    pub fn from_stored(hours: &[OpeningHours]) -> Self {
        let mut ignored = Violations::new();
        Self::parse(hours, "opening_hours", &mut ignored)
    }

    pub fn is_always_open(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `[start, end)` lies inside one window of its local day.
    pub fn covers(&self, zone: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        if self.is_always_open() {
            return true;
        }
        let local_start = start.with_timezone(&zone);
        let day = local_start.date_naive();
        self.windows_on(day, zone)
            .any(|(opens, closes)| opens <= start && end <= closes)
    }

    /// Opening windows of local `day` as instants.
    pub fn windows_on(
        &self,
        day: NaiveDate,
        zone: Tz,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let weekday = Weekday::of(day.weekday());
        self.0
            .iter()
            .filter(move |w| w.0 == weekday)
            .map(move |&(_, o, c)| {
                let at = |m: u32| {
                    let local = day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(m));
                    local_to_utc(local, zone)
                };
                (at(o), at(c))
            })
    }

    /// Opening windows that meet `[from, to)`, clipped to it, in order.
    pub fn open_between(
        &self,
        zone: Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if from >= to {
            return Vec::new();
        }
        if self.is_always_open() {
            return vec![(from, to)];
        }
        let first = from.with_timezone(&zone).date_naive() - Duration::days(1);
        let last = to.with_timezone(&zone).date_naive();
        let mut windows = Vec::new();
        let mut day = first;
        while day <= last {
            let mut today: Vec<_> = self.windows_on(day, zone).collect();
            today.sort();
            for (o, c) in today {
                let (o, c) = (o.max(from), c.min(to));
                if o < c {
                    windows.push((o, c));
                }
            }
            day += Duration::days(1);
        }
        windows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Rome;

    fn hours(list: &[(Weekday, &str, &str)]) -> (WeeklyHours, Violations) {
        let input: Vec<OpeningHours> = list
            .iter()
            .map(|(d, o, c)| OpeningHours {
                weekday: *d,
                opens: o.to_string(),
                closes: c.to_string(),
            })
            .collect();
        let mut v = Violations::new();
        (WeeklyHours::parse(&input, "opening_hours", &mut v), v)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn closes_before_opens_is_refused_with_its_field() {
        let (_, v) = hours(&[
            (Weekday::Mon, "09:00", "19:00"),
            (Weekday::Tue, "18:00", "09:00"),
        ]);
        let error = v.finish().unwrap_err();
        let problem = error.to_problem();
        assert_eq!(problem.errors[0].field, "opening_hours[1].closes");
    }

    #[test]
    fn a_booking_must_fit_one_window_of_its_local_day() {
        let (h, v) = hours(&[
            (Weekday::Tue, "09:00", "13:00"),
            (Weekday::Tue, "14:00", "24:00"),
        ]);
        assert!(v.is_empty());
        // Tuesday 2 March 2027, Rome is UTC+1.
        assert!(h.covers(Rome, at("2027-03-02T08:00:00Z"), at("2027-03-02T12:00:00Z")));
        assert!(!h.covers(Rome, at("2027-03-02T11:00:00Z"), at("2027-03-02T14:00:00Z")));
        assert!(h.covers(Rome, at("2027-03-02T13:00:00Z"), at("2027-03-02T23:00:00Z")));
        // Wednesday: no window.
        assert!(!h.covers(Rome, at("2027-03-03T09:00:00Z"), at("2027-03-03T10:00:00Z")));
    }

    #[test]
    fn a_time_is_two_digits_a_colon_and_two_digits() {
        for good in ["00:00", "09:05", "23:59", "24:00"] {
            assert!(minutes(good).is_some(), "{good}");
        }
        for bad in [
            "+9:00", "09:+5", "9:00", "-1:00", "24:01", "12:60", " 9:00", "09:0 ", "0900", "",
        ] {
            assert_eq!(minutes(bad), None, "{bad}");
        }
        let (_, v) = hours(&[(Weekday::Mon, "+9:00", "19:00")]);
        let problem = v.finish().unwrap_err().to_problem();
        assert_eq!(problem.errors[0].field, "opening_hours[0].opens");
    }

    #[test]
    fn no_hours_means_always_open() {
        let (h, _) = hours(&[]);
        assert!(h.covers(Rome, at("2027-03-03T01:00:00Z"), at("2027-03-05T01:00:00Z")));
    }

    #[test]
    fn open_windows_are_listed_and_clipped() {
        let (h, _) = hours(&[
            (Weekday::Tue, "09:00", "13:00"),
            (Weekday::Wed, "09:00", "13:00"),
        ]);
        let open = h.open_between(Rome, at("2027-03-02T10:00:00Z"), at("2027-03-04T00:00:00Z"));
        assert_eq!(
            open,
            vec![
                (at("2027-03-02T10:00:00Z"), at("2027-03-02T12:00:00Z")),
                (at("2027-03-03T08:00:00Z"), at("2027-03-03T12:00:00Z")),
            ]
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// A time read is the one its text writes: `HH:MM` with two digits each, or `24:00`.
        #[test]
        fn a_time_read_is_the_one_written(text in "[+\\- 0-9:]{0,7}|\\PC{0,8}") {
            if let Some(m) = minutes(&text) {
                prop_assert!(m <= 24 * 60);
                prop_assert_eq!(format!("{:02}:{:02}", m / 60, m % 60), text);
            }
        }

        #[test]
        fn every_time_of_the_day_is_read(h in 0u32..24, m in 0u32..60) {
            prop_assert_eq!(minutes(&format!("{h:02}:{m:02}")), Some(h * 60 + m));
        }
    }
}
