//! When a space is open on given dates: its weekly hours, except on dates with their own hours
//! (a holiday closed all day, an evening opened late). An exception replaces the whole day.

use super::hours::{WeeklyHours, minutes};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use piazza_shared::{
    http::Violations,
    time::{Span, local_to_utc},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// One window of a day with its own hours: `HH:MM` local times; `closes` may be `24:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayWindow {
    #[schema(example = "09:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    #[schema(example = "23:00", pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub closes: String,
}

/// Checks a day's windows, recording problems under `field[i].opens` / `.closes`; returns them
/// as minutes from local midnight, sorted.
pub fn parse_day(windows: &[DayWindow], field: &str, v: &mut Violations) -> Vec<(u32, u32)> {
    let mut parsed = Vec::with_capacity(windows.len());
    for (i, window) in windows.iter().enumerate() {
        let opens = minutes(&window.opens).filter(|&m| m < 24 * 60);
        let closes = minutes(&window.closes);
        if opens.is_none() {
            v.add(format!("{field}[{i}].opens"), "must be a time HH:MM");
        }
        if closes.is_none() {
            v.add(
                format!("{field}[{i}].closes"),
                "must be a time HH:MM (or 24:00)",
            );
        }
        if let (Some(o), Some(c)) = (opens, closes) {
            if c <= o {
                v.add(format!("{field}[{i}].closes"), "must be after opens");
            } else {
                parsed.push((o, c));
            }
        }
    }
    parsed.sort();
    if parsed.windows(2).any(|pair| pair[1].0 < pair[0].1) {
        v.add(field, "two windows overlap");
    }
    parsed
}

/// Weekly hours with the dates that have their own.
#[derive(Debug, Clone, Default)]
pub struct OpeningPlan {
    week: WeeklyHours,
    /// Local date → its windows in minutes from midnight; empty means closed all day.
    exceptions: BTreeMap<NaiveDate, Vec<(u32, u32)>>,
}

impl OpeningPlan {
    pub fn new(week: WeeklyHours, exceptions: BTreeMap<NaiveDate, Vec<(u32, u32)>>) -> Self {
        Self { week, exceptions }
    }

    /// Opening windows of local `day` as instants.
    fn windows_on(&self, day: NaiveDate, zone: Tz) -> Vec<Span> {
        let at = |m: u32| {
            let local = day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(m));
            local_to_utc(local, zone)
        };
        match self.exceptions.get(&day) {
            Some(list) => list.iter().map(|&(o, c)| (at(o), at(c))).collect(),
            None if self.week.is_always_open() => vec![(at(0), at(24 * 60))],
            None => {
                let mut list: Vec<Span> = self.week.windows_on(day, zone).collect();
                list.sort();
                list
            }
        }
    }

    /// Whether any exception falls on the local dates `[from, to)` meets.
    fn excepted(&self, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        let first = from.with_timezone(&zone).date_naive() - Duration::days(1);
        let last = to.with_timezone(&zone).date_naive();
        self.exceptions.range(first..=last).next().is_some()
    }

    /// Opening windows that meet `[from, to)`, clipped to it, in order; windows that touch
    /// (a day open until 24:00 and the next from 00:00) are joined.
    pub fn open_between(&self, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
        if !self.excepted(zone, from, to) {
            return self.week.open_between(zone, from, to);
        }
        let mut day = from.with_timezone(&zone).date_naive() - Duration::days(1);
        let last = to.with_timezone(&zone).date_naive();
        let mut open: Vec<Span> = Vec::new();
        while day <= last {
            for (o, c) in self.windows_on(day, zone) {
                let (o, c) = (o.max(from), c.min(to));
                if o >= c {
                    continue;
                }
                match open.last_mut() {
                    Some(previous) if previous.1 >= o => previous.1 = previous.1.max(c),
                    _ => open.push((o, c)),
                }
            }
            day += Duration::days(1);
        }
        open
    }

    /// Whether `[start, end)` may be booked: inside one window of its local day, or, on dates
    /// with their own hours, inside one stretch of open time.
    pub fn covers(&self, zone: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        if !self.excepted(zone, start, end) {
            return self.week.covers(zone, start, end);
        }
        self.open_between(zone, start, end) == vec![(start, end)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OpeningHours, Weekday};
    use chrono_tz::Europe::Rome;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn tuesdays() -> WeeklyHours {
        WeeklyHours::from_stored(&[OpeningHours {
            weekday: Weekday::Tue,
            opens: "09:00".into(),
            closes: "18:00".into(),
        }])
    }

    #[test]
    fn a_holiday_closes_the_day_and_a_late_evening_extends_another() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
        // Tuesday 2 March closed; Tuesday 9 March open 09:00–23:00 (Rome is UTC+1).
        let plan = OpeningPlan::new(
            tuesdays(),
            BTreeMap::from([(day(2), vec![]), (day(9), vec![(9 * 60, 23 * 60)])]),
        );
        let open = plan.open_between(Rome, at("2027-03-01T00:00:00Z"), at("2027-03-17T00:00:00Z"));
        assert_eq!(
            open,
            vec![
                (at("2027-03-09T08:00:00Z"), at("2027-03-09T22:00:00Z")),
                (at("2027-03-16T08:00:00Z"), at("2027-03-16T17:00:00Z")),
            ]
        );
        assert!(!plan.covers(Rome, at("2027-03-02T09:00:00Z"), at("2027-03-02T10:00:00Z")));
        assert!(plan.covers(Rome, at("2027-03-09T19:00:00Z"), at("2027-03-09T21:00:00Z")));
        assert!(!plan.covers(Rome, at("2027-03-16T19:00:00Z"), at("2027-03-16T21:00:00Z")));
    }

    #[test]
    fn an_always_open_space_can_still_close_on_a_date() {
        let day = NaiveDate::from_ymd_opt(2027, 12, 25).unwrap();
        let plan = OpeningPlan::new(WeeklyHours::default(), BTreeMap::from([(day, vec![])]));
        let open = plan.open_between(Rome, at("2027-12-24T00:00:00Z"), at("2027-12-27T00:00:00Z"));
        assert_eq!(
            open,
            vec![
                (at("2027-12-24T00:00:00Z"), at("2027-12-24T23:00:00Z")),
                (at("2027-12-25T23:00:00Z"), at("2027-12-27T00:00:00Z")),
            ]
        );
        assert!(!plan.covers(Rome, at("2027-12-24T20:00:00Z"), at("2027-12-25T01:00:00Z")));
        assert!(plan.covers(Rome, at("2027-12-26T08:00:00Z"), at("2027-12-26T20:00:00Z")));
    }

    #[test]
    fn overlapping_or_backwards_windows_name_their_field() {
        let mut v = Violations::new();
        parse_day(
            &[
                DayWindow {
                    opens: "10:00".into(),
                    closes: "09:00".into(),
                },
                DayWindow {
                    opens: "25:00".into(),
                    closes: "26:00".into(),
                },
            ],
            "opening_hours",
            &mut v,
        );
        let problem = v.finish().unwrap_err().to_problem();
        let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "opening_hours[0].closes",
                "opening_hours[1].opens",
                "opening_hours[1].closes"
            ]
        );
    }
}
