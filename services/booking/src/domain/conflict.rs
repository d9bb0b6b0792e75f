//! What stands in the way of a slot: a closure, another live booking, the opening hours or
//! another occurrence of the same request. The kind decides the refusal's code
//! ([`crate::error::BookingError`]); the words and the times are what the client reads.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Why a slot cannot be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obstacle {
    /// A closure of the space, a space around it or inside it.
    Closed,
    /// A live booking's hold (of this space or one around or inside it), or one made at the same
    /// moment, or another occurrence of the same request.
    Overlap,
    /// Outside the space's opening hours.
    OutsideHours,
}

/// A slot that cannot be held, and what is in the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Conflict {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// The booking in the way, when it is one (and the caller may know it: see
    /// [`Conflict::seen_by`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<Uuid>,
    /// Whose booking is in the way (never sent: it decides whether `booking_id` is).
    #[serde(skip)]
    pub organisation_id: Option<Uuid>,
    /// The space where the clash is (the booked space or one inside or around it).
    pub space_id: Uuid,
    /// What kind of thing is in the way (never sent: the problem's code says it).
    #[serde(skip)]
    pub obstacle: Obstacle,
}

impl Conflict {
    /// The conflict as `org` may see it: another organisation's booking id is left out (its
    /// time and status are what the caller needs); an administrator sees every id.
    pub fn seen_by(mut self, org: Option<Uuid>, admin: bool) -> Self {
        if !admin && self.organisation_id.is_none_or(|owner| Some(owner) != org) {
            self.booking_id = None;
        }
        self
    }

    /// The conflict as the JSON a 409 lists.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}
