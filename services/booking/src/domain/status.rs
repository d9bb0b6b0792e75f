//! The life of a booking: requested → approved, or rejected; either live state → cancelled.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    Approved,
    Rejected,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Requested => "requested",
            BookingStatus::Approved => "approved",
            BookingStatus::Rejected => "rejected",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "requested" => Some(BookingStatus::Requested),
            "approved" => Some(BookingStatus::Approved),
            "rejected" => Some(BookingStatus::Rejected),
            "cancelled" => Some(BookingStatus::Cancelled),
            _ => None,
        }
    }

    /// Requested and approved bookings hold their slot.
    pub fn holds_slot(self) -> bool {
        matches!(self, BookingStatus::Requested | BookingStatus::Approved)
    }
}
