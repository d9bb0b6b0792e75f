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

piazza_shared::persisted_enum!(BookingStatus {
    Requested => "requested",
    Approved => "approved",
    Rejected => "rejected",
    Cancelled => "cancelled",
});

impl BookingStatus {
    /// The statuses that hold a slot, as stored: what queries for live bookings filter on.
    pub const LIVE: [BookingStatus; 2] = [BookingStatus::Requested, BookingStatus::Approved];

    /// Requested and approved bookings hold their slot.
    pub fn holds_slot(self) -> bool {
        Self::LIVE.contains(&self)
    }

    /// The stored names of [`BookingStatus::LIVE`], for a query's `IN`.
    pub fn live_names() -> [&'static str; 2] {
        Self::LIVE.map(Self::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requested_and_approved_bookings_hold_their_slot() {
        assert!(BookingStatus::Requested.holds_slot());
        assert!(BookingStatus::Approved.holds_slot());
        assert!(!BookingStatus::Rejected.holds_slot());
        assert!(!BookingStatus::Cancelled.holds_slot());
        assert_eq!(BookingStatus::live_names(), ["requested", "approved"]);
        assert_eq!(
            BookingStatus::parse("cancelled"),
            Some(BookingStatus::Cancelled)
        );
    }
}
