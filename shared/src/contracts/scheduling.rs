//! `piazza.scheduling.*`: the scheduler asks booking for the space an event needs. Booking answers
//! with `booking.requested`, `booking.approved` or `booking.rejected` under the same correlation id.

use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Hold `space_id` for every slot of an event (all or nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotRequested {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub event_id: Uuid,
    pub space_id: Uuid,
    pub title: String,
    pub slots: Vec<Slot>,
    /// Approve at once when free (an administrator's event); otherwise hold as requested.
    pub approve: bool,
    #[serde(default)]
    pub organisation: Option<String>,
    /// The proposing organisation: the slots are held in its name and count against its quota.
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    #[serde(default)]
    pub contact_email: Option<String>,
    #[serde(default)]
    pub attendees: Option<u32>,
}

impl Message for SlotRequested {
    const TYPE: &'static str = "piazza.scheduling.slot_requested";
}

/// The event no longer needs its space (cancelled or moved elsewhere): free every slot held for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotReleased {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub event_id: Uuid,
    pub reason: String,
}

impl Message for SlotReleased {
    const TYPE: &'static str = "piazza.scheduling.slot_released";
}
