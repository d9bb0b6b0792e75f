//! Recurring series (RFC 5545 RRULE with EXDATE), expanded in local wall-clock time so a Tuesday
//! 18:00 workshop stays at 18:00 across daylight-saving changes. The rule is expanded on naive
//! local times and each result is then placed in the zone as RFC 5545 says: a time skipped by the
//! spring change moves forward by the gap, a time repeated in autumn means its first occurrence.
//! See <https://www.rfc-editor.org/rfc/rfc5545#section-3.3.10>.
//!
//! The expansion itself is under 240 lines; the rest of the file is its tests.

use crate::time::{Span, local_to_utc};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rrule::{RRule, RRuleSet, Unvalidated};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("not a valid RRULE: {0}")]
    Invalid(String),
    #[error("the rule never ends: give COUNT or UNTIL")]
    Unbounded,
    #[error("the rule makes more than {0} occurrences")]
    TooMany(u32),
}

const WALL: &str = "%Y%m%dT%H%M%S";

/// Local start times of the series that starts at `first` (local wall time in `zone`), at most
/// `max`, without those listed in `exdates` (local wall times).
pub fn expand_local(
    rule: &str,
    first: NaiveDateTime,
    zone: Tz,
    max: u32,
    exdates: &[NaiveDateTime],
) -> Result<Vec<NaiveDateTime>, RecurrenceError> {
    let rule = normalise(rule, zone)?;
    let parsed: RRule<Unvalidated> = rule
        .parse()
        .map_err(|e: rrule::RRuleError| RecurrenceError::Invalid(e.to_string()))?;
    if parsed.get_count().is_none() && parsed.get_until().is_none() {
        return Err(RecurrenceError::Unbounded);
    }
    // Wall times are expanded as if they were UTC, which has no gaps or repeats.
    let start = rrule::Tz::UTC.from_utc_datetime(&first);
    let mut set: RRuleSet = parsed
        .build(start)
        .map_err(|e| RecurrenceError::Invalid(e.to_string()))?;
    for exdate in exdates {
        set = set.exdate(rrule::Tz::UTC.from_utc_datetime(exdate));
    }
    let limit = u16::try_from(max.saturating_add(1)).unwrap_or(u16::MAX);
    let result = set.all(limit);
    if result.dates.len() > max as usize {
        return Err(RecurrenceError::TooMany(max));
    }
    Ok(result.dates.iter().map(|d| d.naive_utc()).collect())
}

/// Instants of each occurrence: `(start, end)` where every occurrence lasts as long as the first
/// in local wall-clock time.
pub fn expand(
    rule: &str,
    first_start: DateTime<Utc>,
    first_end: DateTime<Utc>,
    zone: Tz,
    max: u32,
) -> Result<Vec<Span>, RecurrenceError> {
    let local_start = first_start.with_timezone(&zone).naive_local();
    let local_end = first_end.with_timezone(&zone).naive_local();
    let length = local_end - local_start;
    let starts = expand_local(rule, local_start, zone, max, &[])?;
    Ok(starts
        .into_iter()
        .map(|s| (local_to_utc(s, zone), local_to_utc(s + length, zone)))
        .collect())
}

/// A local day, or a local wall time, the series skips (RFC 5545 EXDATE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exclusion {
    /// Every occurrence starting on this local day.
    Day(NaiveDate),
    /// The occurrence starting at this local wall time.
    Wall(NaiveDateTime),
}

impl Exclusion {
    /// Reads `YYYY-MM-DD`, a local `YYYY-MM-DDTHH:MM[:SS]`, or an RFC 3339 instant (placed in
    /// `zone`).
    pub fn parse(value: &str, zone: Tz) -> Result<Self, String> {
        let value = value.trim();
        if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            return Ok(Exclusion::Day(day));
        }
        for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(wall) = NaiveDateTime::parse_from_str(value, format) {
                return Ok(Exclusion::Wall(wall));
            }
        }
        DateTime::parse_from_rfc3339(value)
            .map(|t| Exclusion::Wall(t.with_timezone(&zone).naive_local()))
            .map_err(|_| {
                format!("`{value}` is not a date (YYYY-MM-DD), a local time (YYYY-MM-DDTHH:MM) or an RFC 3339 instant")
            })
    }

    /// The stored form, which [`Exclusion::parse`] reads back.
    pub fn to_text(self) -> String {
        match self {
            Exclusion::Day(day) => day.format("%Y-%m-%d").to_string(),
            Exclusion::Wall(wall) => wall.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }

    pub fn excludes(self, wall: NaiveDateTime) -> bool {
        match self {
            Exclusion::Day(day) => wall.date() == day,
            Exclusion::Wall(at) => wall == at,
        }
    }
}

/// One occurrence of a series: where the rule put it in local time, and its instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instance {
    pub wall: NaiveDateTime,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A series to expand: its first occurrence, its rule and what it skips.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// RFC 5545 RRULE; `None` is a single occurrence.
    pub rule: Option<&'a str>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The zone whose wall clock the series keeps.
    pub zone: Tz,
    pub exclusions: &'a [Exclusion],
    /// A rule without COUNT or UNTIL runs to the end of this local day (a season's last day);
    /// `None` refuses such a rule.
    pub last_day: Option<NaiveDate>,
    /// Most occurrences the rule may make (before exclusions).
    pub max: u32,
}

impl Series<'_> {
    /// Every occurrence in order, each as long in wall-clock time as the first, with local
    /// times placed in the zone as RFC 5545 says (see [`local_to_utc`]).
    pub fn expand(&self) -> Result<Vec<Instance>, RecurrenceError> {
        let first = self.starts_at.with_timezone(&self.zone).naive_local();
        let length = self.ends_at.with_timezone(&self.zone).naive_local() - first;
        let walls = match self.rule {
            None => vec![first],
            Some(rule) => {
                let rule = match self.last_day {
                    Some(day) if !is_bounded(rule) => {
                        format!("{};UNTIL={}", rule.trim(), day.format("%Y%m%d"))
                    }
                    _ => rule.to_string(),
                };
                expand_local(&rule, first, self.zone, self.max, &[])?
            }
        };
        Ok(walls
            .into_iter()
            .filter(|wall| !self.exclusions.iter().any(|e| e.excludes(*wall)))
            .map(|wall| Instance {
                wall,
                starts_at: local_to_utc(wall, self.zone),
                ends_at: local_to_utc(wall + length, self.zone),
            })
            .collect())
    }
}

/// Whether the rule says when it ends (COUNT or UNTIL).
fn is_bounded(rule: &str) -> bool {
    rule.split(';').any(|part| {
        let key = part.split('=').next().unwrap_or("").trim();
        let key = key.strip_prefix("RRULE:").unwrap_or(key);
        key.eq_ignore_ascii_case("COUNT") || key.eq_ignore_ascii_case("UNTIL")
    })
}

/// Accepts `RRULE:…` or the bare rule; refuses anything but one rule line; turns an UNTIL given
/// in UTC into local wall time, since expansion works on wall times.
fn normalise(rule: &str, zone: Tz) -> Result<String, RecurrenceError> {
    let rule = rule.trim();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
    if rule.is_empty() || rule.contains(['\n', '\r', ':']) {
        return Err(RecurrenceError::Invalid(
            "give one rule such as FREQ=WEEKLY;COUNT=8".into(),
        ));
    }
    let mut parts = Vec::new();
    for part in rule.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            return Err(RecurrenceError::Invalid(format!(
                "`{part}` is not NAME=VALUE"
            )));
        };
        if key.eq_ignore_ascii_case("UNTIL") {
            parts.push(format!("UNTIL={}", until_as_wall(value, zone)?));
        } else if key.eq_ignore_ascii_case("DTSTART") {
            return Err(RecurrenceError::Invalid(
                "DTSTART comes from the start time, not the rule".into(),
            ));
        } else {
            parts.push(part.to_string());
        }
    }
    Ok(parts.join(";"))
}

fn until_as_wall(value: &str, zone: Tz) -> Result<String, RecurrenceError> {
    let bad = || {
        RecurrenceError::Invalid(format!(
            "UNTIL `{value}` is not YYYYMMDD or YYYYMMDDTHHMMSSZ"
        ))
    };
    let wall = if let Some(utc) = value.strip_suffix('Z') {
        let instant = NaiveDateTime::parse_from_str(utc, WALL).map_err(|_| bad())?;
        Utc.from_utc_datetime(&instant)
            .with_timezone(&zone)
            .naive_local()
    } else if value.len() == 8 {
        // A date: the whole of that local day is included.
        chrono::NaiveDate::parse_from_str(value, "%Y%m%d")
            .map_err(|_| bad())?
            .and_hms_opt(23, 59, 59)
            .ok_or_else(bad)?
    } else {
        NaiveDateTime::parse_from_str(value, WALL).map_err(|_| bad())?
    };
    Ok(format!("{}Z", wall.format(WALL)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::Europe::Rome;

    fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local_to_utc(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, 0)
                .unwrap(),
            Rome,
        )
    }

    #[test]
    fn a_weekly_series_keeps_its_local_time_across_both_changes() {
        // Tuesdays 18:00–20:00 from March to November 2027: both DST changes fall inside.
        let occurrences = expand(
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20271130T230000Z",
            rome(2027, 3, 2, 18, 0),
            rome(2027, 3, 2, 20, 0),
            Rome,
            100,
        )
        .unwrap();
        assert_eq!(occurrences.len(), 40);
        for (start, end) in &occurrences {
            let local = start.with_timezone(&Rome);
            assert_eq!(local.format("%a %H:%M").to_string(), "Tue 18:00");
            assert_eq!(
                end.with_timezone(&Rome).format("%H:%M").to_string(),
                "20:00"
            );
        }
        // Before the spring change 18:00 is 17:00 UTC; after it, 16:00 UTC.
        assert_eq!(occurrences[3].0.to_rfc3339(), "2027-03-23T17:00:00+00:00");
        assert_eq!(occurrences[4].0.to_rfc3339(), "2027-03-30T16:00:00+00:00");
    }

    #[test]
    fn a_rule_without_an_end_is_refused() {
        let error = expand(
            "FREQ=DAILY",
            rome(2027, 1, 1, 9, 0),
            rome(2027, 1, 1, 10, 0),
            Rome,
            10,
        );
        assert_eq!(error, Err(RecurrenceError::Unbounded));
    }

    #[test]
    fn too_many_occurrences_are_refused() {
        let error = expand(
            "FREQ=DAILY;COUNT=11",
            rome(2027, 1, 1, 9, 0),
            rome(2027, 1, 1, 10, 0),
            Rome,
            10,
        );
        assert_eq!(error, Err(RecurrenceError::TooMany(10)));
    }

    #[test]
    fn garbage_and_injected_lines_are_refused() {
        for rule in [
            "FREQ=SOMETIMES;COUNT=2",
            "FREQ=DAILY;COUNT=2\nEXDATE:20270101",
            "hello",
        ] {
            let result = expand(
                rule,
                rome(2027, 1, 1, 9, 0),
                rome(2027, 1, 1, 10, 0),
                Rome,
                10,
            );
            assert!(
                matches!(result, Err(RecurrenceError::Invalid(_))),
                "{rule}: {result:?}"
            );
        }
    }

    #[test]
    fn a_skipped_local_time_moves_forward_by_the_gap() {
        // Daily 02:30: on 28 March 2027 02:30 does not exist in Rome.
        let occurrences = expand(
            "FREQ=DAILY;COUNT=3",
            rome(2027, 3, 27, 2, 30),
            rome(2027, 3, 27, 3, 0),
            Rome,
            10,
        )
        .unwrap();
        let local: Vec<String> = occurrences
            .iter()
            .map(|(s, _)| s.with_timezone(&Rome).format("%d %H:%M").to_string())
            .collect();
        assert_eq!(local, ["27 02:30", "28 03:30", "29 02:30"]);
    }

    #[test]
    fn exdates_remove_occurrences() {
        let first = NaiveDate::from_ymd_opt(2027, 1, 5)
            .unwrap()
            .and_hms_opt(18, 0, 0)
            .unwrap();
        let skip = NaiveDate::from_ymd_opt(2027, 1, 12)
            .unwrap()
            .and_hms_opt(18, 0, 0)
            .unwrap();
        let starts = expand_local("FREQ=WEEKLY;COUNT=3", first, Rome, 10, &[skip]).unwrap();
        assert_eq!(starts.len(), 2);
        assert!(!starts.contains(&skip));
    }

    #[test]
    fn a_repeated_local_time_means_its_first_occurrence() {
        // Daily 02:30: on 31 October 2027 02:30 happens twice in Rome; the first (CEST) is meant.
        let occurrences = Series {
            rule: Some("FREQ=DAILY;COUNT=3"),
            starts_at: rome(2027, 10, 30, 2, 30),
            ends_at: rome(2027, 10, 30, 3, 0),
            zone: Rome,
            exclusions: &[],
            last_day: None,
            max: 10,
        }
        .expand()
        .unwrap();
        assert_eq!(
            occurrences[1].starts_at.to_rfc3339(),
            "2027-10-31T00:30:00+00:00"
        );
        assert_eq!(
            occurrences[2].starts_at.to_rfc3339(),
            "2027-11-01T01:30:00+00:00"
        );
    }

    #[test]
    fn an_open_ended_rule_runs_to_the_last_day_and_skips_excluded_days() {
        let skip = Exclusion::parse("2027-03-16", Rome).unwrap();
        let also = Exclusion::parse("2027-03-23T18:00", Rome).unwrap();
        let occurrences = Series {
            rule: Some("FREQ=WEEKLY;BYDAY=TU"),
            starts_at: rome(2027, 3, 2, 18, 0),
            ends_at: rome(2027, 3, 2, 20, 0),
            zone: Rome,
            exclusions: &[skip, also],
            last_day: NaiveDate::from_ymd_opt(2027, 3, 30),
            max: 100,
        }
        .expand()
        .unwrap();
        let days: Vec<String> = occurrences
            .iter()
            .map(|o| o.wall.format("%d").to_string())
            .collect();
        assert_eq!(days, ["02", "09", "30"]);
        assert_eq!(Exclusion::parse(&also.to_text(), Rome).unwrap(), also);
        assert!(Exclusion::parse("next tuesday", Rome).is_err());
    }

    #[test]
    fn an_open_ended_rule_without_a_last_day_is_refused() {
        let result = Series {
            rule: Some("FREQ=WEEKLY"),
            starts_at: rome(2027, 3, 2, 18, 0),
            ends_at: rome(2027, 3, 2, 20, 0),
            zone: Rome,
            exclusions: &[],
            last_day: None,
            max: 100,
        }
        .expand();
        assert_eq!(result, Err(RecurrenceError::Unbounded));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    /// Rules as people and calendars write them, valid or not: known parts with values in and
    /// out of range, in any order, with now and then a stray part.
    fn rule() -> impl Strategy<Value = String> {
        let part = prop_oneof![
            prop::sample::select(vec![
                "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SECONDLY", "X"
            ])
            .prop_map(|f| format!("FREQ={f}")),
            (0u32..3000).prop_map(|n| format!("COUNT={n}")),
            (0u32..400).prop_map(|n| format!("INTERVAL={n}")),
            (-400i32..400).prop_map(|n| format!("BYSETPOS={n}")),
            (-40i32..40).prop_map(|n| format!("BYMONTHDAY={n}")),
            (-60i32..60).prop_map(|n| format!("BYWEEKNO={n}")),
            (0u32..15).prop_map(|n| format!("BYMONTH={n}")),
            (0u32..30).prop_map(|n| format!("BYHOUR={n}")),
            prop::sample::subsequence(
                vec![
                    "MO", "TU", "WE", "TH", "FR", "SA", "SU", "2MO", "-1FR", "9XX"
                ],
                0..4
            )
            .prop_map(|days| format!("BYDAY={}", days.join(","))),
            (2000i32..2100, 1u32..13, 1u32..29, prop::bool::ANY).prop_map(|(y, m, d, utc)| {
                format!(
                    "UNTIL={y:04}{m:02}{d:02}{}",
                    if utc { "T120000Z" } else { "" }
                )
            }),
            "\\PC{0,12}",
        ];
        prop::collection::vec(part, 0..6).prop_map(|parts| parts.join(";"))
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            chrono_tz::Europe::Rome,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::UTC,
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn any_text_as_a_rule_is_refused_or_expanded_without_panicking(text in "\\PC{0,80}") {
            let start = DateTime::UNIX_EPOCH + Duration::days(20_000);
            let _ = expand(&text, start, start + Duration::hours(1), chrono_tz::Europe::Rome, 50);
            let _ = Exclusion::parse(&text, chrono_tz::Europe::Rome);
        }

        /// An expanded series starts with its first occurrence, never runs backwards, makes at
        /// most `max` occurrences, none after its last day (unless the rule ends itself), each
        /// as long as the first in wall-clock time, and skips what it excludes.
        #[test]
        fn an_expanded_series_keeps_its_promises(
            rule in rule(),
            days in 0i64..40_000,
            minutes in 0i64..1440,
            length in 1i64..600,
            zone in zone(),
            max in 1u32..300,
            skip in 0usize..5,
        ) {
            let starts_at = DateTime::UNIX_EPOCH + Duration::days(days) + Duration::minutes(minutes);
            let first = starts_at.with_timezone(&zone).naive_local();
            let series = Series {
                rule: Some(&rule),
                starts_at,
                ends_at: starts_at + Duration::minutes(length),
                zone,
                exclusions: &[],
                last_day: Some(first.date() + Duration::days(400)),
                max,
            };
            let Ok(all) = series.expand() else { return Ok(()) };
            prop_assert!(all.len() <= max as usize);
            for pair in all.windows(2) {
                prop_assert!(pair[0].wall < pair[1].wall, "{pair:?}");
            }
            for instance in &all {
                prop_assert!(instance.wall >= first, "{instance:?} before {first}");
                // A rule that says when it ends is its own bound; any other ends on the last day.
                prop_assert!(
                    is_bounded(&rule) || instance.wall.date() <= first.date() + Duration::days(400),
                    "{instance:?} after the last day"
                );
                prop_assert!(instance.ends_at >= instance.starts_at, "{instance:?}");
            }
            if let Some(skipped) = all.get(skip) {
                let exclusions = [Exclusion::Wall(skipped.wall)];
                let fewer = Series { exclusions: &exclusions, ..series }.expand();
                prop_assert!(fewer.is_ok());
                let fewer = fewer.unwrap_or_default();
                prop_assert_eq!(fewer.len(), all.len() - 1);
                prop_assert!(fewer.iter().all(|i| i.wall != skipped.wall));
            }
        }

        /// An exclusion written out reads back as itself.
        #[test]
        fn an_exclusion_round_trips_through_its_text(
            days in 0i64..40_000, minutes in 0i64..1440, whole_day in prop::bool::ANY
        ) {
            let wall = (DateTime::UNIX_EPOCH + Duration::days(days) + Duration::minutes(minutes))
                .naive_utc();
            let exclusion = if whole_day { Exclusion::Day(wall.date()) } else { Exclusion::Wall(wall) };
            prop_assert_eq!(Exclusion::parse(&exclusion.to_text(), chrono_tz::Europe::Rome), Ok(exclusion));
        }
    }
}
