//! Facts: one per thing counted, made from what the owners announce. Each kind names its subject
//! (the id the owner gave it) and what it belongs to:
//!
//! - `space_use`: a booked date of an approved booking (an operator's, or an event's hold of its
//!   space), with the space's funding line;
//! - `event_occurrence`: an occurrence of a published event;
//! - `registration`: a confirmed place at an event (its person as a keyed hash, its age band);
//! - `pathway_enrolment`, `pathway_completion`, `pathway_session`: a referral pathway's
//!   enrolments, completions and attended sessions (present in `amount`);
//! - `table_meeting`: a co-design meeting (attendance in `amount`, youth representatives in
//!   `extra`);
//! - `idea_received`, `idea_taken_up`: ideas from people without an account.
//!
//! Messages may come twice, late, out of order, or as snapshots of a state since changed; a fact
//! only moves forward ([`decide`]): a cancelled fact (not live) is never revived, and news older
//! than what the fact last took never overwrites it. A waitlisted registration makes no fact: it
//! counts nobody, and a row that is not live must always mean "cancelled" for that rule to hold.

use chrono::{DateTime, Utc};
use piazza_shared::contracts::{
    booking::{BookedDate, BookingSummary},
    event::EventSummary,
    idea::{IdeaReceived, IdeaTakenUp},
    pathway::{PathwayCompleted, PathwayEnrolled, PathwaySessionAttended},
    registration::RegistrationChange,
    table::TableMeetingHeld,
};
use uuid::Uuid;

/// What a fact counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    SpaceUse,
    EventOccurrence,
    Registration,
    PathwayEnrolment,
    PathwayCompletion,
    PathwaySession,
    TableMeeting,
    IdeaReceived,
    IdeaTakenUp,
}

piazza_shared::persisted_enum!(Kind {
    SpaceUse => "space_use",
    EventOccurrence => "event_occurrence",
    Registration => "registration",
    PathwayEnrolment => "pathway_enrolment",
    PathwayCompletion => "pathway_completion",
    PathwaySession => "pathway_session",
    TableMeeting => "table_meeting",
    IdeaReceived => "idea_received",
    IdeaTakenUp => "idea_taken_up",
});

/// The purpose the person key is hashed for (see `Keys::keyed_hash`).
pub const PERSON_KEY_PURPOSE: &str = "piazza.monitoring.person";

/// The address as it identifies a person: `Ada@Example.org ` and `ada@example.org` are one.
pub fn person_address(email: &str) -> String {
    email.trim().to_lowercase()
}

/// One thing counted, as a message tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub kind: Kind,
    pub subject_id: Uuid,
    pub source_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub space_id: Option<Uuid>,
    pub season_id: Option<Uuid>,
    pub funding_line: Option<String>,
    pub age_band: Option<String>,
    pub person_key: Option<String>,
    pub amount: i64,
    pub extra: i64,
    pub live: bool,
}

impl Fact {
    /// A live fact of `kind` about `subject_id` at `at`, counting one, with nothing else known.
    pub fn new(kind: Kind, subject_id: Uuid, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            subject_id,
            source_id: None,
            at,
            ends_at: None,
            space_id: None,
            season_id: None,
            funding_line: None,
            age_band: None,
            person_key: None,
            amount: 1,
            extra: 0,
            live: true,
        }
    }
}

/// What a known fact is now, as far as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub live: bool,
    /// The time of the message it last took.
    pub updated_at: DateTime<Utc>,
}

/// What to do with news of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Write the fact as the message tells it (new, or newer news of a live fact).
    Write,
    /// Only end it: the message cancels a live fact (a cancellation wins even when it arrives
    /// after later news, which cannot have revived it at the source).
    End,
    /// Leave it as it is: it was cancelled, or the message is older than what it last took.
    Keep,
}

/// How a fact that stands as `known` (if it exists) takes a message telling it `live`, sent at
/// `time`.
pub fn decide(known: Option<Standing>, live: bool, time: DateTime<Utc>) -> Decision {
    match known {
        None => Decision::Write,
        Some(known) if !known.live => Decision::Keep,
        Some(_) if !live => Decision::End,
        Some(known) if time < known.updated_at => Decision::Keep,
        Some(_) => Decision::Write,
    }
}

/// The booked dates a booking message covers (only the first, in messages written before the
/// dates were added).
fn booked_dates(booking: &BookingSummary) -> Vec<BookedDate> {
    if booking.dates.is_empty() {
        vec![BookedDate {
            booking_id: booking.booking_id,
            starts_at: booking.starts_at,
            ends_at: booking.ends_at,
        }]
    } else {
        booking.dates.clone()
    }
}

/// `space_use`: one per booked date of `booking`, live while approved. An event that takes place
/// in its organisation's own approved booking holds nothing itself (`uses_booking_id`): that
/// booking is the space used, counted once.
pub fn space_use(booking: &BookingSummary, live: bool) -> Vec<Fact> {
    if booking.uses_booking_id.is_some() {
        return Vec::new();
    }
    booked_dates(booking)
        .into_iter()
        .map(|date| Fact {
            source_id: booking.event_id,
            ends_at: Some(date.ends_at),
            space_id: Some(booking.space_id),
            funding_line: booking.funding_line.map(|f| f.as_str().to_string()),
            live,
            ..Fact::new(Kind::SpaceUse, date.booking_id, date.starts_at)
        })
        .collect()
}

/// What of an event is cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled<'a> {
    /// Nothing: it is published.
    Nothing,
    /// These occurrences, while the event goes on.
    Occurrences(&'a [Uuid]),
    /// The whole event.
    Whole,
}

/// `event_occurrence`: one per occurrence of `event`, live unless `cancelled`.
pub fn event_occurrences(event: &EventSummary, cancelled: Cancelled<'_>) -> Vec<Fact> {
    event
        .occurrences
        .iter()
        .map(|occurrence| Fact {
            source_id: Some(event.event_id),
            ends_at: Some(occurrence.ends_at),
            space_id: event.place.as_ref().map(|p| p.space_id),
            season_id: event.season_id,
            funding_line: event.funding_line.map(|f| f.as_str().to_string()),
            live: match cancelled {
                Cancelled::Nothing => true,
                Cancelled::Occurrences(ids) => !ids.contains(&occurrence.occurrence_id),
                Cancelled::Whole => false,
            },
            ..Fact::new(
                Kind::EventOccurrence,
                occurrence.occurrence_id,
                occurrence.starts_at,
            )
        })
        .collect()
}

/// `registration`: the place of `change`, at its occurrence's start (or the event's first), its
/// person as `person_key`; `None` when nothing dates it (an event without occurrences).
pub fn registration(change: &RegistrationChange, live: bool, person_key: String) -> Option<Fact> {
    let r = &change.registration;
    let event = &change.event;
    let occurrence = r
        .occurrence_id
        .and_then(|id| event.occurrences.iter().find(|o| o.occurrence_id == id));
    let at = r
        .occurrence_starts_at
        .or(occurrence.map(|o| o.starts_at))
        .or_else(|| event.occurrences.iter().map(|o| o.starts_at).min())?;
    Some(Fact {
        source_id: Some(r.event_id),
        ends_at: occurrence.map(|o| o.ends_at),
        space_id: event.place.as_ref().map(|p| p.space_id),
        season_id: event.season_id,
        funding_line: event.funding_line.map(|f| f.as_str().to_string()),
        age_band: r.age_band.map(|b| b.as_str().to_string()),
        person_key: Some(person_key),
        live,
        ..Fact::new(Kind::Registration, r.registration_id, at)
    })
}

pub fn pathway_enrolment(m: &PathwayEnrolled) -> Fact {
    Fact {
        source_id: Some(m.pathway_id),
        funding_line: Some(m.funding_line.as_str().to_string()),
        age_band: Some(m.age_band.as_str().to_string()),
        ..Fact::new(Kind::PathwayEnrolment, m.enrolment_id, m.enrolled_at)
    }
}

pub fn pathway_completion(m: &PathwayCompleted) -> Fact {
    Fact {
        source_id: Some(m.pathway_id),
        funding_line: Some(m.funding_line.as_str().to_string()),
        age_band: Some(m.age_band.as_str().to_string()),
        ..Fact::new(Kind::PathwayCompletion, m.enrolment_id, m.completed_at)
    }
}

pub fn pathway_session(m: &PathwaySessionAttended) -> Fact {
    Fact {
        source_id: Some(m.pathway_id),
        ends_at: Some(m.ends_at),
        funding_line: Some(m.funding_line.as_str().to_string()),
        amount: i64::from(m.present),
        ..Fact::new(Kind::PathwaySession, m.session_id, m.starts_at)
    }
}

pub fn table_meeting(m: &TableMeetingHeld) -> Fact {
    Fact {
        source_id: Some(m.table_id),
        ends_at: Some(m.ends_at),
        space_id: m.space_id,
        funding_line: m.funding_line.map(|f| f.as_str().to_string()),
        amount: i64::from(m.attendance),
        extra: i64::from(m.youth_representatives),
        ..Fact::new(Kind::TableMeeting, m.meeting_id, m.starts_at)
    }
}

pub fn idea_received(m: &IdeaReceived) -> Fact {
    Fact {
        source_id: Some(m.call_id),
        season_id: Some(m.season_id),
        age_band: m.age_band.clone(),
        ..Fact::new(Kind::IdeaReceived, m.idea_id, m.received_at)
    }
}

pub fn idea_taken_up(m: &IdeaTakenUp) -> Fact {
    Fact {
        source_id: Some(m.call_id),
        season_id: Some(m.season_id),
        age_band: m.age_band.clone(),
        ..Fact::new(Kind::IdeaTakenUp, m.idea_id, m.taken_up_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use piazza_shared::contracts::{
        FundingLine, Language,
        event::{Occurrence, Place},
        pathway::AgeBand,
        registration::Registration,
    };

    fn t(hours: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default()
            + Duration::hours(hours)
    }

    fn standing(live: bool, hours: i64) -> Option<Standing> {
        Some(Standing {
            live,
            updated_at: t(hours),
        })
    }

    #[test]
    fn a_fact_only_moves_forward() {
        // New: written, live or already ended (so a late approval cannot count it).
        assert_eq!(decide(None, true, t(0)), Decision::Write);
        assert_eq!(decide(None, false, t(0)), Decision::Write);
        // Newer news of a live fact is taken, the same news again too; older news is not.
        assert_eq!(decide(standing(true, 1), true, t(2)), Decision::Write);
        assert_eq!(decide(standing(true, 1), true, t(1)), Decision::Write);
        assert_eq!(decide(standing(true, 2), true, t(1)), Decision::Keep);
        // A cancellation ends a live fact even when it comes after later news…
        assert_eq!(decide(standing(true, 2), false, t(1)), Decision::End);
        assert_eq!(decide(standing(true, 1), false, t(2)), Decision::End);
        // …and nothing revives an ended fact: not a late message, not a newer snapshot.
        assert_eq!(decide(standing(false, 2), true, t(1)), Decision::Keep);
        assert_eq!(decide(standing(false, 1), true, t(3)), Decision::Keep);
        assert_eq!(decide(standing(false, 1), false, t(3)), Decision::Keep);
    }

    #[test]
    fn an_address_is_one_person_whatever_its_case_and_spaces() {
        assert_eq!(person_address("  Ada@Example.ORG "), "ada@example.org");
    }

    fn event(occurrences: &[(Uuid, i64)]) -> EventSummary {
        EventSummary {
            event_id: Uuid::now_v7(),
            title: "Laboratorio".into(),
            description: String::new(),
            categories: vec![],
            age_min: None,
            age_max: None,
            time_zone: "Europe/Rome".into(),
            occurrences: occurrences
                .iter()
                .map(|(id, h)| Occurrence {
                    occurrence_id: *id,
                    starts_at: t(*h),
                    ends_at: t(*h + 2),
                })
                .collect(),
            place: Some(Place {
                space_id: Uuid::nil(),
                name: "Sala".into(),
                building: "Palazzo".into(),
                address: "Via Roma 1".into(),
            }),
            capacity: None,
            funding_line: Some(FundingLine::FsePlus),
            season_id: Some(Uuid::nil()),
        }
    }

    #[test]
    fn each_occurrence_is_a_fact_of_its_event_and_cancelled_ones_are_not_live() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let event = event(&[(a, 10), (b, 34)]);
        let facts = event_occurrences(&event, Cancelled::Nothing);
        assert_eq!(facts.len(), 2);
        assert!(facts.iter().all(|f| f.live
            && f.kind == Kind::EventOccurrence
            && f.source_id == Some(event.event_id)
            && f.funding_line.as_deref() == Some("fse_plus")
            && f.space_id == Some(Uuid::nil())));
        assert_eq!((facts[1].at, facts[1].ends_at), (t(34), Some(t(36))));
        let facts = event_occurrences(&event, Cancelled::Occurrences(&[b]));
        assert_eq!(
            facts.iter().map(|f| f.live).collect::<Vec<_>>(),
            [true, false]
        );
        let facts = event_occurrences(&event, Cancelled::Whole);
        assert!(facts.iter().all(|f| !f.live));
    }

    #[test]
    fn a_registration_is_dated_by_its_occurrence_or_the_first_and_keeps_no_address() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut change = RegistrationChange {
            version: 1,
            registration: Registration {
                registration_id: Uuid::now_v7(),
                event_id: Uuid::now_v7(),
                occurrence_id: Some(b),
                occurrence_starts_at: None,
                email: "ada@example.org".into(),
                name: "Ada".into(),
                language: Language::It,
                waitlist_position: None,
                cancel_url: None,
                quiet: false,
                age_band: Some(AgeBand::From14To17),
            },
            event: event(&[(a, 30), (b, 5)]),
        };
        let fact = registration(&change, true, "k".into()).unwrap();
        assert_eq!((fact.at, fact.ends_at), (t(5), Some(t(7))));
        assert_eq!(fact.age_band.as_deref(), Some("14_17"));
        assert_eq!(fact.person_key.as_deref(), Some("k"));
        assert_eq!(fact.season_id, Some(Uuid::nil()));
        assert!(!format!("{fact:?}").contains("ada"));
        // Without an occurrence: the event's first.
        change.registration.occurrence_id = None;
        assert_eq!(registration(&change, true, "k".into()).unwrap().at, t(5));
        // Nothing to date it by: no fact.
        change.event.occurrences.clear();
        assert_eq!(registration(&change, true, "k".into()), None);
        change.registration.occurrence_starts_at = Some(t(9));
        assert_eq!(registration(&change, false, "k".into()).unwrap().at, t(9));
    }

    #[test]
    fn each_booked_date_is_space_used_with_the_space_funding_line() {
        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        let booking = BookingSummary {
            booking_id: first,
            series_id: Some(Uuid::now_v7()),
            space_id: Uuid::nil(),
            title: "Prove".into(),
            starts_at: t(0),
            ends_at: t(2),
            occurrences: 2,
            organisation: None,
            contact_email: Some("op@example.org".into()),
            event_id: None,
            organisation_id: None,
            dates: vec![
                BookedDate {
                    booking_id: first,
                    starts_at: t(0),
                    ends_at: t(2),
                },
                BookedDate {
                    booking_id: second,
                    starts_at: t(168),
                    ends_at: t(170),
                },
            ],
            uses_booking_id: None,
            funding_line: Some(FundingLine::Fesr),
        };
        let facts = space_use(&booking, true);
        assert_eq!(
            facts.iter().map(|f| f.subject_id).collect::<Vec<_>>(),
            [first, second]
        );
        assert!(
            facts
                .iter()
                .all(|f| f.funding_line.as_deref() == Some("fesr")
                    && f.space_id == Some(Uuid::nil())
                    && f.person_key.is_none())
        );
        // An event inside the organisation's own booking: that booking is the space used.
        let inside = BookingSummary {
            event_id: Some(Uuid::now_v7()),
            uses_booking_id: Some(Uuid::now_v7()),
            ..booking.clone()
        };
        assert!(space_use(&inside, true).is_empty());
        // An older message without dates: its one booking.
        let older = BookingSummary {
            dates: vec![],
            funding_line: None,
            ..booking
        };
        let facts = space_use(&older, false);
        assert_eq!(facts.len(), 1);
        assert!(!facts[0].live && facts[0].funding_line.is_none());
    }

    #[test]
    fn a_meeting_counts_its_people_and_youth_representatives() {
        let meeting = TableMeetingHeld {
            version: 1,
            meeting_id: Uuid::now_v7(),
            table_id: Uuid::now_v7(),
            table_kind: "codesign".into(),
            funding_line: Some(FundingLine::Other),
            space_id: None,
            starts_at: t(0),
            ends_at: t(2),
            attendance: 12,
            youth_representatives: 3,
            decisions: 1,
        };
        let fact = table_meeting(&meeting);
        assert_eq!((fact.amount, fact.extra), (12, 3));
        assert_eq!(fact.source_id, Some(meeting.table_id));
        assert_eq!(Kind::parse(fact.kind.as_str()), Some(Kind::TableMeeting));
    }
}
