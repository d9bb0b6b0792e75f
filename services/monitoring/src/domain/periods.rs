//! The periods indicators are counted over: calendar quarters or the programme's seasons,
//! both as local dates in the configured zone (Europe/Rome by default), cut to the range asked
//! for. A fact belongs to the period its start (`at`) falls in, so an evening that crosses
//! midnight at the end of March counts, whole, in the first quarter.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use piazza_shared::time::start_of_day;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// How to cut a range into periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PeriodsBy)]
pub enum By {
    Quarter,
    Season,
}

impl By {
    pub fn as_str(self) -> &'static str {
        match self {
            By::Quarter => "quarter",
            By::Season => "season",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [By::Quarter, By::Season]
            .into_iter()
            .find(|b| b.as_str() == value)
    }
}

/// The most periods one answer holds: forty quarters are ten years of programme.
pub const MAX_PERIODS: usize = 40;

/// One period: local dates (both inclusive) and the instants `[start, end)` they cover.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = IndicatorPeriod)]
pub struct Period {
    /// `2027-Q1` for a quarter, the season's id for a season.
    pub key: String,
    /// `2027-Q1`, or the season's name.
    pub label: String,
    pub from: NaiveDate,
    /// The last day, inclusive.
    pub to: NaiveDate,
    #[serde(skip)]
    pub start: DateTime<Utc>,
    #[serde(skip)]
    pub end: DateTime<Utc>,
}

impl Period {
    /// A period of local dates `from..=to` in `zone`.
    pub fn of_dates(key: String, label: String, from: NaiveDate, to: NaiveDate, zone: Tz) -> Self {
        let after = to.succ_opt().unwrap_or(to);
        Period {
            key,
            label,
            from,
            to,
            start: start_of_day(from, zone),
            end: start_of_day(after, zone),
        }
    }

    /// Whether `at` falls in the period.
    pub fn holds(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// A season as the monitoring knows it (from `piazza.season.changed`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonSpan {
    pub id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The first day of the quarter `date` is in.
fn quarter_start(date: NaiveDate) -> NaiveDate {
    let month = (date.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date)
}

/// The first day of the next quarter.
fn next_quarter(start: NaiveDate) -> Option<NaiveDate> {
    start.checked_add_months(chrono::Months::new(3))
}

/// The quarter's key, `2027-Q1`.
pub fn quarter_key(date: NaiveDate) -> String {
    format!("{}-Q{}", date.year(), date.month0() / 3 + 1)
}

/// The quarters that meet `from..=to`, each cut to it.
pub fn quarters(from: NaiveDate, to: NaiveDate, zone: Tz) -> Vec<Period> {
    let mut periods = Vec::new();
    let mut start = quarter_start(from);
    while start <= to && periods.len() < MAX_PERIODS {
        let Some(next) = next_quarter(start) else {
            break;
        };
        let last = next.pred_opt().unwrap_or(next);
        let key = quarter_key(start);
        periods.push(Period::of_dates(
            key.clone(),
            key,
            start.max(from),
            last.min(to),
            zone,
        ));
        start = next;
    }
    periods
}

/// How many quarters `from..=to` meets (to refuse a range too long before counting).
pub fn quarter_count(from: NaiveDate, to: NaiveDate) -> i64 {
    let index = |d: NaiveDate| i64::from(d.year()) * 4 + i64::from(d.month0() / 3);
    index(to) - index(from) + 1
}

/// The seasons that meet `from..=to`, in order of their start, each cut to it.
pub fn seasons(all: &[SeasonSpan], from: NaiveDate, to: NaiveDate, zone: Tz) -> Vec<Period> {
    let mut met: Vec<&SeasonSpan> = all
        .iter()
        .filter(|s| s.starts_on <= to && from <= s.ends_on && s.starts_on <= s.ends_on)
        .collect();
    met.sort_by_key(|s| (s.starts_on, s.ends_on, s.id));
    met.into_iter()
        .take(MAX_PERIODS)
        .map(|s| {
            Period::of_dates(
                s.id.to_string(),
                s.name.clone(),
                s.starts_on.max(from),
                s.ends_on.min(to),
                zone,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Rome;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_range_is_cut_into_quarters_at_rome_midnight() {
        let periods = quarters(day(2026, 11, 15), day(2027, 4, 10), Rome);
        let keys: Vec<_> = periods.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["2026-Q4", "2027-Q1", "2027-Q2"]);
        assert_eq!(periods[0].from, day(2026, 11, 15));
        assert_eq!(periods[1].from, day(2027, 1, 1));
        assert_eq!(periods[1].to, day(2027, 3, 31));
        assert_eq!(periods[2].to, day(2027, 4, 10));
        // 00:30 in Rome on 1 January is still 31 December in UTC: it is the new quarter's.
        let new_year = Rome
            .with_ymd_and_hms(2027, 1, 1, 0, 30, 0)
            .unwrap()
            .to_utc();
        assert!(!periods[0].holds(new_year));
        assert!(periods[1].holds(new_year));
        // 23:30 on 31 March (summer time) is still the first quarter's.
        let last = Rome
            .with_ymd_and_hms(2027, 3, 31, 23, 30, 0)
            .unwrap()
            .to_utc();
        assert!(periods[1].holds(last));
        assert!(!periods[2].holds(last));
        assert_eq!(quarter_count(day(2026, 11, 15), day(2027, 4, 10)), 3);
    }

    #[test]
    fn seasons_meeting_the_range_come_in_order_and_cut_to_it() {
        let a = SeasonSpan {
            id: Uuid::from_u128(2),
            name: "Primavera".into(),
            starts_on: day(2027, 3, 1),
            ends_on: day(2027, 6, 30),
        };
        let b = SeasonSpan {
            id: Uuid::from_u128(1),
            name: "Inverno".into(),
            starts_on: day(2026, 12, 1),
            ends_on: day(2027, 2, 28),
        };
        let c = SeasonSpan {
            id: Uuid::from_u128(3),
            name: "Later".into(),
            starts_on: day(2028, 1, 1),
            ends_on: day(2028, 2, 1),
        };
        let periods = seasons(&[a, b, c], day(2027, 1, 1), day(2027, 12, 31), Rome);
        let labels: Vec<_> = periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["Inverno", "Primavera"]);
        assert_eq!(periods[0].from, day(2027, 1, 1));
        assert_eq!(periods[1].to, day(2027, 6, 30));
    }

    #[test]
    fn by_reads_its_two_words() {
        assert_eq!(By::parse("quarter"), Some(By::Quarter));
        assert_eq!(By::parse("season"), Some(By::Season));
        assert_eq!(By::parse("month"), None);
    }
}
