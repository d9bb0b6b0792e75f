//! The scheduler's vocabulary: the states of seasons, events, spaces, registrations and
//! proposals, and the kinds of programme and funding line. Each is stored as its snake_case name.

pub mod tables;
mod text;

pub use text::{TextRule, check_birth_year, check_text};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an event is in its life: an operator proposes, an administrator schedules, then it is
/// published, and in the end cancelled or completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Made by an administrator (or from an accepted proposal), not yet public.
    Draft,
    /// Proposed by an operator, waiting for an administrator.
    Proposed,
    /// Its space could not be had; it needs another slot or space.
    NeedsSpace,
    /// Accepted into the season by an administrator; not yet public.
    Scheduled,
    /// Public.
    Published,
    Cancelled,
    /// Every occurrence is over.
    Completed,
}

impl EventStatus {
    /// Cancelled and completed events change no more.
    pub fn is_final(self) -> bool {
        matches!(self, EventStatus::Cancelled | EventStatus::Completed)
    }
}

/// Whether the event has the space it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
// Its own name in the document: booking's `SpaceStatus` (open, under works…) is another thing.
#[schema(as = EventSpaceStatus)]
pub enum SpaceStatus {
    /// No space asked for.
    None,
    /// Asked; booking has not confirmed (or holds it as requested until an admin approves).
    Pending,
    Confirmed,
    Unavailable,
}

/// A season's life: planned, then public, then kept for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeasonStatus {
    Planning,
    Published,
    Archived,
}

/// What a programme groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// Events under one banner, each attended on its own.
    Festival,
    /// A recurring workshop.
    Workshop,
    /// A socio-educational pathway: its sessions are taken as a whole.
    Pathway,
}

/// Which fund pays for an event (the strategy is monitored by funding line): the one enum every
/// service and message uses.
pub use piazza_shared::contracts::FundingLine;

/// A person's place at an event or programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    Confirmed,
    Waitlisted,
    Cancelled,
}

/// Where a proposal to a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Submitted,
    Accepted,
    Declined,
}

pub use piazza_shared::time::Weekday;

/// An occurrence that takes place.
pub const SCHEDULED: &str = "scheduled";
/// An occurrence that does not.
pub const CANCELLED: &str = "cancelled";

// Each status and kind is stored as its snake_case name (see `piazza_shared::persisted`).
piazza_shared::persisted_enum!(EventStatus { Draft => "draft", Proposed => "proposed", NeedsSpace => "needs_space", Scheduled => "scheduled", Published => "published", Cancelled => "cancelled", Completed => "completed" });
piazza_shared::persisted_enum!(SpaceStatus { None => "none", Pending => "pending", Confirmed => "confirmed", Unavailable => "unavailable" });
piazza_shared::persisted_enum!(SeasonStatus { Planning => "planning", Published => "published", Archived => "archived" });
piazza_shared::persisted_enum!(ProgrammeKind { Festival => "festival", Workshop => "workshop", Pathway => "pathway" });
piazza_shared::persisted_enum!(RegistrationStatus { Confirmed => "confirmed", Waitlisted => "waitlisted", Cancelled => "cancelled" });
piazza_shared::persisted_enum!(ProposalStatus { Submitted => "submitted", Accepted => "accepted", Declined => "declined" });
