//! An event's occurrences: planned from its first occurrence, rule and exclusions within its
//! season, and reconciled with the occurrences already stored so that each keeps its id (and its
//! calendar UID) when the series is edited.

use crate::{
    db::{occurrences, seasons},
    domain::SCHEDULED,
};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use piazza_shared::{
    http::Violations,
    recurrence::{Exclusion, Instance, RecurrenceError, Series},
};
use std::collections::HashSet;

/// The longest a single occurrence may last.
const LONGEST: i64 = 31;

/// Everything that decides when an event takes place.
#[derive(Debug, Clone, Copy)]
pub struct Timing<'a> {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub zone: Tz,
    pub rule: Option<&'a str>,
    pub exclusions: &'a [Exclusion],
    pub season: Option<&'a seasons::Model>,
    /// Most occurrences (`scheduler.max_occurrences`).
    pub max: u32,
}

/// The occurrences `timing` makes, or what is wrong with it (recorded in `v`).
pub fn plan(v: &mut Violations, timing: &Timing) -> Vec<Instance> {
    let before = v.is_empty();
    v.check(
        timing.ends_at > timing.starts_at,
        "ends_at",
        "must be after starts_at",
    );
    v.check(
        timing.ends_at - timing.starts_at <= Duration::days(LONGEST),
        "ends_at",
        format!("one occurrence lasts at most {LONGEST} days"),
    );
    if before && !v.is_empty() {
        return Vec::new();
    }
    let series = Series {
        rule: timing.rule,
        starts_at: timing.starts_at,
        ends_at: timing.ends_at,
        zone: timing.zone,
        exclusions: timing.exclusions,
        last_day: timing.season.map(|s| s.ends_on),
        max: timing.max,
    };
    let instances = match series.expand() {
        Ok(list) => list,
        Err(RecurrenceError::Unbounded) => {
            v.add(
                "recurrence",
                "the rule never ends: give COUNT or UNTIL, or put the event in a season",
            );
            return Vec::new();
        }
        Err(RecurrenceError::TooMany(max)) => {
            v.add(
                "recurrence",
                format!("the rule makes more than {max} occurrences (the configured cap)"),
            );
            return Vec::new();
        }
        Err(error) => {
            v.add("recurrence", error.to_string());
            return Vec::new();
        }
    };
    if instances.is_empty() {
        v.add("exdates", "every occurrence is excluded");
        return instances;
    }
    if let Some(season) = timing.season {
        let outside = instances.iter().any(|i| {
            let day = i.starts_at.with_timezone(&timing.zone).date_naive();
            day < season.starts_on || day > season.ends_on
        });
        v.check(
            !outside,
            "starts_at",
            format!(
                "occurrences must fall within the season ({} to {})",
                season.starts_on, season.ends_on
            ),
        );
    }
    instances
}

/// How a new plan changes the stored occurrences.
#[derive(Debug, Default)]
pub struct Reconciled {
    /// Stored occurrences that move: the row as it was, and where it goes.
    pub moved: Vec<(occurrences::Model, Instance)>,
    /// Stored occurrences the plan no longer has.
    pub removed: Vec<occurrences::Model>,
    /// Occurrences the plan adds.
    pub added: Vec<Instance>,
}

impl Reconciled {
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty() && self.removed.is_empty() && self.added.is_empty()
    }
}

/// Pairs the scheduled occurrences still to come with the planned ones still to come: first those
/// on the same local day, then the rest in order. Past occurrences and planned instances before
/// `now` are left alone: what happened stays as it was.
pub fn reconcile(
    stored: &[occurrences::Model],
    planned: &[Instance],
    zone: Tz,
    now: DateTime<Utc>,
) -> Reconciled {
    let old: Vec<&occurrences::Model> = stored
        .iter()
        .filter(|o| o.status == SCHEDULED && o.starts_at > now)
        .collect();
    let new: Vec<&Instance> = planned.iter().filter(|i| i.starts_at > now).collect();
    let day = |t: DateTime<Utc>| t.with_timezone(&zone).date_naive();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut used_old = HashSet::new();
    let mut used_new = HashSet::new();
    for (n, instance) in new.iter().enumerate() {
        if let Some(o) = (0..old.len())
            .find(|o| !used_old.contains(o) && day(old[*o].starts_at) == instance.wall.date())
        {
            used_old.insert(o);
            used_new.insert(n);
            pairs.push((o, n));
        }
    }
    let rest_old: Vec<usize> = (0..old.len()).filter(|o| !used_old.contains(o)).collect();
    let rest_new: Vec<usize> = (0..new.len()).filter(|n| !used_new.contains(n)).collect();
    for (o, n) in rest_old.iter().zip(rest_new.iter()) {
        pairs.push((*o, *n));
    }
    let mut result = Reconciled::default();
    for &(o, n) in &pairs {
        let (row, instance) = (old[o], new[n]);
        if row.starts_at != instance.starts_at || row.ends_at != instance.ends_at {
            result.moved.push((row.clone(), *instance));
        }
    }
    let paired_old: HashSet<usize> = pairs.iter().map(|p| p.0).collect();
    let paired_new: HashSet<usize> = pairs.iter().map(|p| p.1).collect();
    result.removed = (0..old.len())
        .filter(|o| !paired_old.contains(o))
        .map(|o| old[o].clone())
        .collect();
    result.added = (0..new.len())
        .filter(|n| !paired_new.contains(n))
        .map(|n| *new[n])
        .collect();
    result
}

/// `rule` cut so its last occurrence starts at or before `last` (an instant): COUNT and UNTIL
/// give way to an UNTIL in UTC, as RFC 5545 asks of zoned series.
pub fn rule_until(rule: &str, last: DateTime<Utc>) -> String {
    let rule = rule.trim();
    let rule = rule.strip_prefix("RRULE:").unwrap_or(rule);
    let mut parts: Vec<String> = rule
        .split(';')
        .filter(|part| {
            let key = part.split('=').next().unwrap_or("").trim();
            !(key.eq_ignore_ascii_case("COUNT") || key.eq_ignore_ascii_case("UNTIL"))
        })
        .map(str::to_string)
        .collect();
    parts.push(format!("UNTIL={}", last.format("%Y%m%dT%H%M%SZ")));
    parts.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Europe::Rome;
    use uuid::Uuid;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Rome.with_ymd_and_hms(2027, 3, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn row(d: u32, h: u32) -> occurrences::Model {
        occurrences::Model {
            id: Uuid::now_v7(),
            event_id: Uuid::nil(),
            starts_at: at(d, h),
            ends_at: at(d, h + 2),
            status: SCHEDULED.into(),
            sequence: 0,
            recurrence_id: None,
            reminded_at: None,
            cancel_reason: None,
            updated_at: None,
        }
    }

    fn instance(d: u32, h: u32) -> Instance {
        Instance {
            wall: NaiveDate::from_ymd_opt(2027, 3, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap(),
            starts_at: at(d, h),
            ends_at: at(d, h + 2),
        }
    }

    #[test]
    fn an_hour_later_moves_each_occurrence_and_keeps_its_id() {
        let stored = [row(2, 18), row(9, 18)];
        let result = reconcile(&stored, &[instance(2, 19), instance(9, 19)], Rome, at(1, 0));
        assert_eq!(result.moved.len(), 2);
        assert_eq!(result.moved[0].0.id, stored[0].id);
        assert!(result.removed.is_empty() && result.added.is_empty());
    }

    #[test]
    fn an_excluded_day_removes_only_that_occurrence() {
        let stored = [row(2, 18), row(9, 18), row(16, 18)];
        let result = reconcile(
            &stored,
            &[instance(2, 18), instance(16, 18)],
            Rome,
            at(1, 0),
        );
        assert!(result.moved.is_empty());
        assert_eq!(result.removed.len(), 1);
        assert_eq!(result.removed[0].id, stored[1].id);
    }

    #[test]
    fn past_occurrences_are_left_as_they_were() {
        let stored = [row(2, 18), row(9, 18)];
        let result = reconcile(&stored, &[instance(2, 20), instance(9, 20)], Rome, at(5, 0));
        assert_eq!(result.moved.len(), 1);
        assert_eq!(result.moved[0].0.id, stored[1].id);
    }

    #[test]
    fn a_cut_rule_ends_at_the_given_instant() {
        assert_eq!(
            rule_until("RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=TU", at(9, 18)),
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270309T170000Z"
        );
    }
}
