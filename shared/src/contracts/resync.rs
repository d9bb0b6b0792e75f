//! `piazza.resync.requested` and the snapshots that answer it. A service whose read model of
//! another service's data is new or was lost (the scheduler's copy of the operators' bookings,
//! first started after an upgrade) asks the owner to send the state it holds now. The owner
//! answers with snapshot messages, a type of their own so that nobody takes them for news: no
//! email goes out and no saga moves. A read model applies a snapshot the way it applies any
//! message, only ever forward, so a snapshot that arrives after a later change is harmless.

use super::booking::BookingSummary;
use crate::envelope::Message;
use serde::{Deserialize, Serialize};

/// What a resync asks for: the operators' bookings that still hold their slots.
pub const BOOKINGS: &str = "bookings";

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
