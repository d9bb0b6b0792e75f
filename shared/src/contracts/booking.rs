//! `piazza.booking.*`: changes to bookings. Answers to a slot request carry the request's
//! correlation id and the `event_id` it was for.

use super::FundingLine;
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A booking (or a series of them) as other services see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingSummary {
    pub booking_id: Uuid,
    /// Set when the booking is one occurrence of a recurring series.
    #[serde(default)]
    pub series_id: Option<Uuid>,
    pub space_id: Uuid,
    pub title: String,
    /// Start of the (first) occurrence.
    pub starts_at: DateTime<Utc>,
    /// End of the (first) occurrence.
    pub ends_at: DateTime<Utc>,
    /// How many occurrences this message covers (1 for a single booking).
    #[serde(default = "one")]
    pub occurrences: u32,
    #[serde(default)]
    pub organisation: Option<String>,
    /// Where the operator wants to hear about this booking.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// The scheduler's event this booking holds a space for.
    #[serde(default)]
    pub event_id: Option<Uuid>,
    /// The organisation that booked (`None` in messages written before it was added).
    #[serde(default)]
    pub organisation_id: Option<Uuid>,
    /// Every occurrence this message covers, by start (empty in messages written before it was
    /// added: then only the first, above, is known).
    #[serde(default)]
    pub dates: Vec<BookedDate>,
    /// For an event's booking: the organisation's own approved booking it takes place in.
    #[serde(default)]
    pub uses_booking_id: Option<Uuid>,
    /// The funding line of the space booked, for the monitoring (absent in older messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding_line: Option<FundingLine>,
}

/// One occurrence of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedDate {
    pub booking_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

fn one() -> u32 {
    1
}

/// One slot that could not be held, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotConflict {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRequested {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub booking: BookingSummary,
}

impl Message for BookingRequested {
    const TYPE: &'static str = "piazza.booking.requested";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingApproved {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub booking: BookingSummary,
}

impl Message for BookingApproved {
    const TYPE: &'static str = "piazza.booking.approved";
}

/// A booking refused by an administrator, or a slot request that could not be held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRejected {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// The refused booking; `None` when a slot request was refused before any booking existed.
    #[serde(default)]
    pub booking_id: Option<Uuid>,
    pub space_id: Uuid,
    #[serde(default)]
    pub event_id: Option<Uuid>,
    pub reason: String,
    #[serde(default)]
    pub contact_email: Option<String>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub conflicts: Vec<SlotConflict>,
    /// Every occurrence refused (empty for a slot request, and in messages written before it was
    /// added).
    #[serde(default)]
    pub dates: Vec<BookedDate>,
}

impl Message for BookingRejected {
    const TYPE: &'static str = "piazza.booking.rejected";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingCancelled {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub booking: BookingSummary,
    #[serde(default)]
    pub reason: Option<String>,
}

impl Message for BookingCancelled {
    const TYPE: &'static str = "piazza.booking.cancelled";
}
