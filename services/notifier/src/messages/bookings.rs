//! Booking decisions reach the operator who asked. Bookings made for the scheduler's events are
//! followed by the scheduler, not emailed.

use crate::{
    db::deliveries::{NewDelivery, enqueue},
    domain::Kind,
};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        Language,
        booking::{BookingApproved, BookingCancelled, BookingRejected},
    },
};
use sea_orm::DatabaseTransaction;

async fn notify(
    txn: &DatabaseTransaction,
    kind: Kind,
    subject: uuid::Uuid,
    to: Option<&str>,
    context: serde_json::Value,
) -> Result<(), HandleError> {
    let Some(to) = to else { return Ok(()) };
    let item = NewDelivery {
        kind,
        subject_id: subject,
        recipient: to.to_string(),
        subscriber_id: None,
        language: Language::It,
        context,
    };
    enqueue(txn, vec![item]).await?;
    Ok(())
}

pub async fn approved(
    txn: &DatabaseTransaction,
    message: &BookingApproved,
) -> Result<(), HandleError> {
    let booking = &message.booking;
    if booking.event_id.is_some() {
        return Ok(());
    }
    let context = serde_json::json!({ "booking": booking });
    notify(
        txn,
        Kind::BookingApproved,
        booking.booking_id,
        booking.contact_email.as_deref(),
        context,
    )
    .await
}

pub async fn cancelled(
    txn: &DatabaseTransaction,
    message: &BookingCancelled,
) -> Result<(), HandleError> {
    let booking = &message.booking;
    if booking.event_id.is_some() {
        return Ok(());
    }
    let context = serde_json::json!({ "booking": booking, "reason": message.reason });
    notify(
        txn,
        Kind::BookingCancelled,
        booking.booking_id,
        booking.contact_email.as_deref(),
        context,
    )
    .await
}

pub async fn rejected(
    txn: &DatabaseTransaction,
    message: &BookingRejected,
) -> Result<(), HandleError> {
    let (Some(booking_id), None) = (message.booking_id, message.event_id) else {
        return Ok(());
    };
    let context = serde_json::to_value(message).unwrap_or_default();
    notify(
        txn,
        Kind::BookingRejected,
        booking_id,
        message.contact_email.as_deref(),
        context,
    )
    .await
}
