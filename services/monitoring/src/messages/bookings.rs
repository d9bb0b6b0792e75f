//! Bookings: an approved booking (an operator's, or an event's hold of its space) is space used,
//! one fact per booked date; a cancelled one is not, for good. A request is not counted until
//! approved, and a rejected one never was.

use crate::{domain::facts, ops};
use chrono::{DateTime, Utc};
use piazza_shared::{
    bus::HandleError,
    contracts::{booking::BookingSummary, resync::BookingSnapshot},
};
use sea_orm::DatabaseTransaction;

pub async fn approved(
    txn: &DatabaseTransaction,
    booking: &BookingSummary,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    ops::facts::record(txn, facts::space_use(booking, true), time).await?;
    Ok(())
}

pub async fn cancelled(
    txn: &DatabaseTransaction,
    booking: &BookingSummary,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    // Written as ended even when never heard of as approved, so a late approval cannot count it.
    ops::facts::record(txn, facts::space_use(booking, false), time).await?;
    Ok(())
}

/// A booking as booking holds it now: `approved`, or `held` (an event's hold) count; a request
/// does not yet.
pub async fn snapshot(
    txn: &DatabaseTransaction,
    snapshot: &BookingSnapshot,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    match snapshot.status.as_str() {
        "approved" | "held" => approved(txn, &snapshot.booking, time).await,
        _ => Ok(()),
    }
}
