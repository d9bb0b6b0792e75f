//! Keeps the scheduler's read model of the operators' bookings ([`crate::db::booked`]) from
//! `booking.*` messages, and from the snapshots booking sends when asked for a resync. An event's
//! own holds are left out: the planner shows the event.

use crate::db::booked;
use piazza_shared::{
    bus::HandleError,
    contracts::{
        booking::{BookedDate, BookingRejected, BookingSummary},
        resync::{BookingSnapshot, HELD},
    },
};
use sea_orm::DatabaseTransaction;

/// Records every occurrence `booking` covers as `status`.
pub async fn heard(
    txn: &DatabaseTransaction,
    booking: &BookingSummary,
    status: &str,
) -> Result<(), HandleError> {
    if booking.event_id.is_some() {
        return Ok(());
    }
    let dates = if booking.dates.is_empty() {
        // A message from before the dates were sent: only the first occurrence is known.
        vec![BookedDate {
            booking_id: booking.booking_id,
            starts_at: booking.starts_at,
            ends_at: booking.ends_at,
        }]
    } else {
        booking.dates.clone()
    };
    let now = piazza_shared::clock::now();
    let rows = dates
        .into_iter()
        .map(|d| booked::Model {
            id: d.booking_id,
            series_id: booking.series_id,
            space_id: booking.space_id,
            organisation_id: booking.organisation_id,
            organisation_name: booking.organisation.clone(),
            title: booking.title.clone(),
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            status: status.to_string(),
            updated_at: now,
        })
        .collect();
    booked::record(txn, rows).await?;
    Ok(())
}

/// Records a booking as booking says it stands, in answer to a resync
/// ([`crate::ops::resync`]). Only live states come that way; anything else is ignored, and so
/// are events' holds (status `held`, sent when the monitoring asks for `holds`): the planner
/// shows the event, not its hold.
pub async fn snapshot(
    txn: &DatabaseTransaction,
    message: &BookingSnapshot,
) -> Result<(), HandleError> {
    if message.status == HELD || message.booking.event_id.is_some() {
        return Ok(());
    }
    if !booked::LIVE.contains(&message.status.as_str()) {
        tracing::warn!(status = %message.status, "a booking snapshot in a state that holds no slot: ignored");
        return Ok(());
    }
    heard(txn, &message.booking, &message.status).await
}

/// Records the occurrences an administrator refused.
pub async fn rejected(
    txn: &DatabaseTransaction,
    message: &BookingRejected,
) -> Result<(), HandleError> {
    let Some(booking_id) = message.booking_id else {
        // A slot request refused before any booking existed.
        return Ok(());
    };
    if message.event_id.is_some() {
        return Ok(());
    }
    let summary = BookingSummary {
        booking_id,
        series_id: None,
        space_id: message.space_id,
        title: message.title.clone(),
        starts_at: message.starts_at,
        ends_at: message.ends_at,
        occurrences: u32::try_from(message.dates.len().max(1)).unwrap_or(1),
        organisation: None,
        contact_email: None,
        event_id: None,
        organisation_id: None,
        dates: message.dates.clone(),
        uses_booking_id: None,
        funding_line: None,
    };
    heard(txn, &summary, "rejected").await
}
