//! The measures: each indicator's figure computed from the facts of one period (pure; the
//! facts are read once per answer and counted here). People counts go through the shared
//! small-cell rule ([`Count::of`]) whoever asks; hours and counts of things are shown as they
//! are.

use super::{indicators::Measure, periods::Period};
use chrono::{DateTime, Utc};
use piazza_shared::{
    contracts::{funding::FundingLine, pathway::AgeBand},
    small_cells::Count,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use uuid::Uuid;

/// The kinds of fact the read model keeps (column `kind` of `monitoring_facts`).
pub mod kind {
    pub const SPACE_USE: &str = "space_use";
    pub const EVENT_OCCURRENCE: &str = "event_occurrence";
    pub const REGISTRATION: &str = "registration";
    pub const PATHWAY_ENROLMENT: &str = "pathway_enrolment";
    pub const PATHWAY_COMPLETION: &str = "pathway_completion";
    pub const PATHWAY_SESSION: &str = "pathway_session";
    pub const TABLE_MEETING: &str = "table_meeting";
    pub const IDEA_RECEIVED: &str = "idea_received";
    pub const IDEA_TAKEN_UP: &str = "idea_taken_up";
}

/// One fact, as the measures read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub kind: String,
    pub subject_id: Uuid,
    pub at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub space_id: Option<Uuid>,
    pub funding_line: Option<FundingLine>,
    pub age_band: Option<AgeBand>,
    pub person_key: Option<String>,
    pub amount: i64,
    pub live: bool,
}

impl Fact {
    /// Hours from start to end (none without an end, or with an end before the start).
    pub fn hours(&self) -> f64 {
        self.ends_at
            .map(|end| (end - self.at).num_seconds().max(0) as f64 / 3600.0)
            .unwrap_or(0.0)
    }
}

/// A figure as it may be shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// People: withheld below the threshold.
    People(Count),
    /// Hours, to two decimals.
    Hours(f64),
    /// Things: spaces, events, meetings, ideas.
    Things(u64),
}

impl Figure {
    /// The number, or none when withheld.
    pub fn value(&self) -> Option<f64> {
        match self {
            Figure::People(count) => count.value.map(|n| n as f64),
            Figure::Hours(h) => Some(*h),
            Figure::Things(n) => Some(*n as f64),
        }
    }

    /// What to print: the number, or `<5`.
    pub fn shown(&self) -> String {
        match self {
            Figure::People(count) => count.shown.to_string(),
            Figure::Hours(h) => format!("{h:.2}"),
            Figure::Things(n) => n.to_string(),
        }
    }

    pub fn suppressed(&self) -> bool {
        matches!(self, Figure::People(count) if count.suppressed)
    }
}

/// One measure's answer for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub figure: Figure,
    /// For [`Measure::YoungPeopleReached`]: distinct people per age band (each withheld below
    /// the threshold; people without a band are in the total only).
    pub by_age_band: Option<BTreeMap<AgeBand, Count>>,
}

/// Hours rounded to two decimals, so the API, the CSV and the spreadsheet agree. `+ 0.0` turns
/// the negative zero that summing no `f64` at all gives into 0 (else shown `-0.00`).
pub fn round_hours(hours: f64) -> f64 {
    (hours * 100.0).round() / 100.0 + 0.0
}

/// The live facts of `kind` in `period`, of `line` when given.
fn select<'a>(
    facts: &'a [Fact],
    kind: &'a str,
    period: &'a Period,
    line: Option<FundingLine>,
) -> impl Iterator<Item = &'a Fact> + 'a {
    facts.iter().filter(move |f| {
        f.live
            && f.kind == kind
            && period.holds(f.at)
            && line.is_none_or(|l| f.funding_line == Some(l))
    })
}

fn people(n: usize) -> Figure {
    Figure::People(Count::of(n as u64))
}

fn things(n: usize) -> Figure {
    Figure::Things(n as u64)
}

/// `measure` over the facts of `period`, only those of `line` when given.
pub fn compute(
    measure: Measure,
    facts: &[Fact],
    period: &Period,
    line: Option<FundingLine>,
) -> Outcome {
    let of = |kind| select(facts, kind, period, line);
    let figure = match measure {
        Measure::SpacesReactivated => things(
            of(kind::SPACE_USE)
                .filter_map(|f| f.space_id)
                .collect::<HashSet<_>>()
                .len(),
        ),
        Measure::SpaceHours => {
            Figure::Hours(round_hours(of(kind::SPACE_USE).map(Fact::hours).sum()))
        }
        Measure::EventsHeld => things(of(kind::EVENT_OCCURRENCE).count()),
        Measure::Participants => people(of(kind::REGISTRATION).count()),
        Measure::YoungPeopleReached => {
            let mut all = HashSet::new();
            let mut bands: BTreeMap<AgeBand, BTreeSet<&str>> = AgeBand::ALL
                .into_iter()
                .map(|b| (b, BTreeSet::new()))
                .collect();
            for f in of(kind::REGISTRATION) {
                let Some(key) = f.person_key.as_deref() else {
                    continue;
                };
                all.insert(key);
                if let Some(set) = f.age_band.and_then(|b| bands.get_mut(&b)) {
                    set.insert(key);
                }
            }
            return Outcome {
                figure: people(all.len()),
                by_age_band: Some(
                    bands
                        .into_iter()
                        .map(|(band, set)| (band, Count::of(set.len() as u64)))
                        .collect(),
                ),
            };
        }
        Measure::PathwayParticipants => people(of(kind::PATHWAY_ENROLMENT).count()),
        Measure::PathwayCompletions => people(of(kind::PATHWAY_COMPLETION).count()),
        Measure::CodesignMeetings => things(of(kind::TABLE_MEETING).count()),
        Measure::CodesignParticipants => {
            let sum: i64 = of(kind::TABLE_MEETING).map(|f| f.amount.max(0)).sum();
            Figure::People(Count::of(u64::try_from(sum).unwrap_or(0)))
        }
        Measure::IdeasReceived => things(of(kind::IDEA_RECEIVED).count()),
        Measure::IdeasTakenUp => things(of(kind::IDEA_TAKEN_UP).count()),
    };
    Outcome {
        figure,
        by_age_band: None,
    }
}

/// One funding line's hours in a period and its share of the hours that carry a line.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FundingLineShare {
    pub funding_line: FundingLine,
    /// Hours of live space use paid by the line.
    pub space_hours: f64,
    /// Percent of the space hours that carry a funding line (null when there are none).
    pub space_percent: Option<f64>,
    /// Hours of live event occurrences paid by the line.
    pub event_hours: f64,
    /// Percent of the event hours that carry a funding line (null when there are none).
    pub event_percent: Option<f64>,
    /// The share planned for the line ([`FundingLine::planned_percent`]).
    pub planned_percent: u32,
}

/// The funding lines' shares of one period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FundingShares {
    pub lines: Vec<FundingLineShare>,
    /// Space hours of uses whose space has no funding line (outside the percentages).
    pub space_hours_without_line: f64,
    /// Event hours of events with no funding line (outside the percentages).
    pub event_hours_without_line: f64,
}

fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part * 10_000.0 / whole).round() / 100.0 + 0.0)
}

/// The hours of space use and of events per funding line in `period`, each as a percent of the
/// hours that carry a line, beside the plan (84/6/10): the share the strategy promised is a
/// share of funded activity, so activity tagged with no line is reported beside, not inside.
pub fn shares(facts: &[Fact], period: &Period) -> FundingShares {
    let hours = |kind: &'static str, line: Option<FundingLine>| -> f64 {
        facts
            .iter()
            .filter(|f| f.live && f.kind == kind && period.holds(f.at) && f.funding_line == line)
            .map(Fact::hours)
            .sum()
    };
    let per_line: Vec<(FundingLine, f64, f64)> = FundingLine::ALL
        .into_iter()
        .map(|l| {
            (
                l,
                hours(kind::SPACE_USE, Some(l)),
                hours(kind::EVENT_OCCURRENCE, Some(l)),
            )
        })
        .collect();
    let space_total: f64 = per_line.iter().map(|(_, s, _)| s).sum();
    let event_total: f64 = per_line.iter().map(|(_, _, e)| e).sum();
    FundingShares {
        lines: per_line
            .into_iter()
            .map(|(line, space, event)| FundingLineShare {
                funding_line: line,
                space_hours: round_hours(space),
                space_percent: percent(space, space_total),
                event_hours: round_hours(event),
                event_percent: percent(event, event_total),
                planned_percent: line.planned_percent(),
            })
            .collect(),
        space_hours_without_line: round_hours(hours(kind::SPACE_USE, None)),
        event_hours_without_line: round_hours(hours(kind::EVENT_OCCURRENCE, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate, TimeZone};
    use chrono_tz::Europe::Rome;

    fn period() -> Period {
        Period::of_dates(
            "2027-Q1".into(),
            "2027-Q1".into(),
            NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
            Rome,
        )
    }

    fn fact(kind: &str, day: u32, hours: i64) -> Fact {
        let at = Rome
            .with_ymd_and_hms(2027, 2, day, 18, 0, 0)
            .unwrap()
            .to_utc();
        Fact {
            kind: kind.into(),
            subject_id: Uuid::new_v4(),
            at,
            ends_at: Some(at + Duration::hours(hours)),
            space_id: None,
            funding_line: None,
            age_band: None,
            person_key: None,
            amount: 1,
            live: true,
        }
    }

    #[test]
    fn spaces_are_distinct_and_hours_add_up_only_for_live_uses_in_the_period() {
        let hall = Uuid::new_v4();
        let mut facts = Vec::new();
        for (day, hours, live) in [(1, 2, true), (2, 3, true), (3, 5, false)] {
            let mut f = fact(kind::SPACE_USE, day, hours);
            f.space_id = Some(hall);
            f.live = live;
            f.funding_line = Some(FundingLine::Fesr);
            facts.push(f);
        }
        let mut outside = fact(kind::SPACE_USE, 4, 7);
        outside.at = Rome.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap().to_utc();
        outside.space_id = Some(Uuid::new_v4());
        facts.push(outside);
        let p = period();
        assert_eq!(
            compute(Measure::SpacesReactivated, &facts, &p, None).figure,
            Figure::Things(1)
        );
        assert_eq!(
            compute(Measure::SpaceHours, &facts, &p, None).figure,
            Figure::Hours(5.0)
        );
        assert_eq!(
            compute(Measure::SpaceHours, &facts, &p, Some(FundingLine::FsePlus)).figure,
            Figure::Hours(0.0)
        );
    }

    #[test]
    fn people_are_withheld_below_five_with_their_age_bands() {
        let mut facts = Vec::new();
        for (i, band) in [
            AgeBand::From14To17,
            AgeBand::From14To17,
            AgeBand::From18To24,
        ]
        .into_iter()
        .enumerate()
        {
            let mut f = fact(kind::REGISTRATION, 1, 2);
            f.person_key = Some(format!("k{i}"));
            f.age_band = Some(band);
            facts.push(f);
        }
        // The same person twice: one more registration, not one more person.
        let mut again = facts[0].clone();
        again.subject_id = Uuid::new_v4();
        facts.push(again);
        let p = period();
        let reached = compute(Measure::YoungPeopleReached, &facts, &p, None);
        assert_eq!(reached.figure.shown(), "<5");
        assert_eq!(reached.figure.value(), None);
        assert!(reached.figure.suppressed());
        assert_eq!(
            compute(Measure::Participants, &facts, &p, None)
                .figure
                .shown(),
            "<5"
        );
        for i in 3..8 {
            let mut f = fact(kind::REGISTRATION, 2, 2);
            f.person_key = Some(format!("k{i}"));
            facts.push(f);
        }
        let reached = compute(Measure::YoungPeopleReached, &facts, &p, None);
        assert_eq!(reached.figure.value(), Some(8.0));
        let bands = reached.by_age_band.unwrap();
        assert!(bands[&AgeBand::From14To17].suppressed);
        assert_eq!(
            compute(Measure::Participants, &facts, &p, None)
                .figure
                .value(),
            Some(9.0)
        );
    }

    #[test]
    fn codesign_participants_add_up_attendance() {
        let mut facts = Vec::new();
        for amount in [4, 3] {
            let mut f = fact(kind::TABLE_MEETING, 5, 2);
            f.amount = amount;
            facts.push(f);
        }
        let p = period();
        assert_eq!(
            compute(Measure::CodesignMeetings, &facts, &p, None).figure,
            Figure::Things(2)
        );
        assert_eq!(
            compute(Measure::CodesignParticipants, &facts, &p, None)
                .figure
                .value(),
            Some(7.0)
        );
    }

    #[test]
    fn shares_are_percentages_of_hours_with_a_line_beside_the_plan() {
        let mut facts = Vec::new();
        for (line, hours) in [
            (Some(FundingLine::Fesr), 3),
            (Some(FundingLine::Other), 1),
            (None, 5),
        ] {
            let mut f = fact(kind::SPACE_USE, 6, hours);
            f.funding_line = line;
            facts.push(f);
        }
        let s = shares(&facts, &period());
        assert_eq!(s.lines[0].space_percent, Some(75.0));
        assert_eq!(s.lines[0].planned_percent, 84);
        assert_eq!(s.lines[1].space_percent, Some(0.0));
        assert_eq!(s.lines[2].space_percent, Some(25.0));
        assert_eq!(s.lines[2].space_hours, 1.0);
        assert_eq!(s.space_hours_without_line, 5.0);
        assert_eq!(s.lines[0].event_percent, None);
    }
}
