//! `piazza.resync.requested` and the snapshots that answer it. A service whose read model of
//! another service's data is new or was lost (the scheduler's copy of the operators' bookings,
//! first started after an upgrade) asks the owner to send the state it holds now. The owner
//! answers with snapshot messages, a type of their own so that nobody takes them for news: no
//! email goes out and no saga moves. A read model applies a snapshot the way it applies any
//! message, only ever forward, so a snapshot that arrives after a later change is harmless.
//!
//! The messages only the monitoring reads (`season.changed`, `pathway.*`, `table.meeting_held`,
//! `idea.received`, `idea.taken_up`) need no snapshot type: their owners answer a resync by
//! sending them again, since a reader applies them idempotently and nobody acts on them.

use super::{booking::BookingSummary, event::EventSummary, registration::RegistrationChange};
use crate::envelope::Message;
use serde::{Deserialize, Serialize};

/// What a resync asks for: the operators' bookings that still hold their slots.
pub const BOOKINGS: &str = "bookings";
/// Events' own holds of their spaces (approved), answered as [`BookingSnapshot`]s with the
/// status `held`, which the scheduler's copy of operators' bookings ignores.
pub const HOLDS: &str = "holds";
/// The status of an event's hold in a [`BookingSnapshot`] answering [`HOLDS`].
pub const HELD: &str = "held";
/// Published and cancelled events, answered as [`EventSnapshot`]s.
pub const EVENTS: &str = "events";
/// Registrations, answered as [`RegistrationSnapshot`]s.
pub const REGISTRATIONS: &str = "registrations";
/// Seasons, answered by sending `season.changed` again.
pub const SEASONS: &str = "seasons";
/// Referral pathways: `pathway.enrolled`, `pathway.session_attended` and `pathway.completed`
/// again.
pub const PATHWAYS: &str = "pathways";
/// Co-design tables: `table.meeting_held` again for every recorded meeting.
pub const TABLES: &str = "tables";
/// Ideas from people without an account: `idea.received` and `idea.taken_up` again.
pub const IDEAS: &str = "ideas";

/// A service asks the owners of `what` to send what they hold now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResyncRequested {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// The asking service (for the logs and the audit of messages).
    pub requester: String,
    /// What it asks for ([`BOOKINGS`]); owners ignore what they do not hold.
    pub what: Vec<String>,
}

impl Message for ResyncRequested {
    const TYPE: &'static str = "piazza.resync.requested";
}

/// A booking (or the dates of a series in one state) as it stands, sent in answer to a resync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingSnapshot {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// `requested` or `approved`.
    pub status: String,
    pub booking: BookingSummary,
}

impl Message for BookingSnapshot {
    const TYPE: &'static str = "piazza.booking.snapshot";
}

/// A published (or cancelled) event as it stands, sent in answer to a resync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSnapshot {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// `published` or `cancelled` (the whole event).
    pub status: String,
    /// The event, with every occurrence it has now.
    pub event: EventSummary,
    /// Occurrences cancelled on their own while the event goes on.
    #[serde(default)]
    pub cancelled_occurrence_ids: Vec<uuid::Uuid>,
}

impl Message for EventSnapshot {
    const TYPE: &'static str = "piazza.event.snapshot";
}

/// A registration as it stands, sent in answer to a resync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationSnapshot {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// `confirmed`, `waitlisted` or `cancelled`.
    pub status: String,
    pub change: RegistrationChange,
}

impl Message for RegistrationSnapshot {
    const TYPE: &'static str = "piazza.registration.snapshot";
}
