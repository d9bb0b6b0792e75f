//! The indicator framework's vocabulary: what an indicator measures ([`Measure`]), whether it
//! is an output or a result ([`IndicatorKind`]), and the rules a framework row obeys. The
//! framework itself is data (table `monitoring_indicators`), so administrators can rename,
//! add baselines and targets, or add an indicator restricted to one funding line, without a
//! release.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an indicator counts, over the facts of a period (see `domain::measures`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = IndicatorMeasure)]
pub enum Measure {
    /// Distinct spaces with a live use in the period.
    SpacesReactivated,
    /// Hours of live space use.
    SpaceHours,
    /// Live event occurrences.
    EventsHeld,
    /// Confirmed registrations (people).
    Participants,
    /// Distinct people registered (people), with a breakdown by age band.
    YoungPeopleReached,
    /// Enrolments in pathways (people).
    PathwayParticipants,
    /// Pathways completed (people).
    PathwayCompletions,
    /// Co-design table meetings held.
    CodesignMeetings,
    /// People at co-design meetings, summed over meetings (people).
    CodesignParticipants,
    /// Ideas received from calls.
    IdeasReceived,
    /// Ideas taken up.
    IdeasTakenUp,
}

impl Measure {
    pub const ALL: [Measure; 11] = [
        Measure::SpacesReactivated,
        Measure::SpaceHours,
        Measure::EventsHeld,
        Measure::Participants,
        Measure::YoungPeopleReached,
        Measure::PathwayParticipants,
        Measure::PathwayCompletions,
        Measure::CodesignMeetings,
        Measure::CodesignParticipants,
        Measure::IdeasReceived,
        Measure::IdeasTakenUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::SpacesReactivated => "spaces_reactivated",
            Measure::SpaceHours => "space_hours",
            Measure::EventsHeld => "events_held",
            Measure::Participants => "participants",
            Measure::YoungPeopleReached => "young_people_reached",
            Measure::PathwayParticipants => "pathway_participants",
            Measure::PathwayCompletions => "pathway_completions",
            Measure::CodesignMeetings => "codesign_meetings",
            Measure::CodesignParticipants => "codesign_participants",
            Measure::IdeasReceived => "ideas_received",
            Measure::IdeasTakenUp => "ideas_taken_up",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }

    /// Whether the figure counts people, and so is withheld below the small-cell threshold
    /// ([`piazza_shared::small_cells`]) for everyone: the monitoring shows aggregates only.
    /// Hours and counts of things (spaces, events, meetings, ideas) are shown as they are.
    pub fn counts_people(self) -> bool {
        matches!(
            self,
            Measure::Participants
                | Measure::YoungPeopleReached
                | Measure::PathwayParticipants
                | Measure::PathwayCompletions
                | Measure::CodesignParticipants
        )
    }
}

/// Output (what was done) or result (what changed for people), as cohesion-policy frameworks
/// tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    Output,
    Result,
}

impl IndicatorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Output => "output",
            IndicatorKind::Result => "result",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [IndicatorKind::Output, IndicatorKind::Result]
            .into_iter()
            .find(|k| k.as_str() == value)
    }
}

/// One indicator of the framework, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub id: uuid::Uuid,
    /// Stable slug, unique, e.g. `space_hours`.
    pub code: String,
    pub kind: IndicatorKind,
    pub name_it: String,
    pub name_en: String,
    pub definition_it: String,
    pub definition_en: String,
    /// What the figure is counted in, e.g. `ore`/`hours`, `persone`.
    pub unit: String,
    pub measure: Measure,
    /// Only facts of this funding line; null means every line.
    pub funding_line: Option<piazza_shared::contracts::funding::FundingLine>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// Order on pages and in exports (ascending).
    pub position: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// The longest name, unit or definition kept, in characters.
pub const NAME_MAX: usize = 200;
pub const UNIT_MAX: usize = 40;
pub const DEFINITION_MAX: usize = 2000;
/// The largest baseline or target accepted: beyond it a figure is a typing slip.
pub const FIGURE_MAX: f64 = 1e12;

/// Whether `code` is an indicator's code: 2 to 40 characters of `a-z`, digits and `_`,
/// starting with a letter (the sectors' rule, so codes read alike across Piazza).
pub fn is_code(code: &str) -> bool {
    piazza_shared::contracts::sector::is_code(code)
}

/// Why a baseline or target is refused, if it is.
pub fn figure_problem(value: f64) -> Option<&'static str> {
    if !value.is_finite() {
        Some("must be a number")
    } else if value < 0.0 {
        Some("must not be negative")
    } else if value > FIGURE_MAX {
        Some("is too large")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_read_back_and_only_people_counts_are_withheld() {
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::json!(m.as_str())
            );
        }
        assert!(Measure::YoungPeopleReached.counts_people());
        assert!(!Measure::SpaceHours.counts_people());
        assert!(!Measure::EventsHeld.counts_people());
        assert_eq!(Measure::parse("hours"), None);
    }

    #[test]
    fn figures_must_be_finite_non_negative_and_sane() {
        assert_eq!(figure_problem(0.0), None);
        assert_eq!(figure_problem(84.5), None);
        assert!(figure_problem(-1.0).is_some());
        assert!(figure_problem(f64::NAN).is_some());
        assert!(figure_problem(1e13).is_some());
    }
}
