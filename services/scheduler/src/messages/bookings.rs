//! The scheduler side of the slot saga: booking's answers move an event's `space_status`.
//! Answers carry the correlation id of the request; one that does not match the event's current
//! request is stale (the event asked again since) and changes nothing.

use crate::{
    db::events,
    domain::{EventStatus, SpaceStatus},
};
use piazza_shared::{
    bus::HandleError,
    contracts::booking::{BookingApproved, BookingCancelled, BookingRejected, BookingRequested},
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

/// The event an answer is about, if it is current.
async fn current(
    txn: &DatabaseTransaction,
    event_id: Option<Uuid>,
    correlation: Option<&str>,
) -> Result<Option<events::Model>, HandleError> {
    let Some(event_id) = event_id else {
        return Ok(None);
    };
    let Some(event) = events::Entity::find_by_id(event_id).one(txn).await? else {
        tracing::warn!(%event_id, "answer for an unknown event; ignored");
        return Ok(None);
    };
    // An administrator's approval in booking carries the event id as correlation; a saga answer
    // carries the request's id. Either names this event; only a different request is stale.
    let stale = match (correlation, event.slot_correlation.as_deref()) {
        (Some(got), Some(expected)) => got != expected && got != event_id.to_string(),
        _ => false,
    };
    if stale {
        tracing::info!(%event_id, "stale answer to an earlier slot request; ignored");
        return Ok(None);
    }
    Ok(Some(event))
}

async fn set_space(
    txn: &DatabaseTransaction,
    event: &events::Model,
    space: SpaceStatus,
    reason: Option<String>,
    status: Option<EventStatus>,
) -> Result<(), HandleError> {
    let mut update = events::Entity::update_many()
        .col_expr(events::Column::SpaceStatus, Expr::value(space.as_str()))
        .col_expr(events::Column::SpaceReason, Expr::value(reason))
        .col_expr(
            events::Column::UpdatedAt,
            Expr::value(piazza_shared::clock::now()),
        )
        .filter(events::Column::Id.eq(event.id));
    if let Some(status) = status {
        update = update.col_expr(events::Column::Status, Expr::value(status.as_str()));
    }
    update.exec(txn).await?;
    tracing::info!(event_id = %event.id, space_status = space.as_str(), "event space status changed");
    Ok(())
}

fn is_final(event: &events::Model) -> bool {
    matches!(
        EventStatus::parse(&event.status),
        Some(EventStatus::Cancelled | EventStatus::Completed)
    )
}

pub async fn requested(
    txn: &DatabaseTransaction,
    message: &BookingRequested,
    correlation: Option<&str>,
) -> Result<(), HandleError> {
    if let Some(event) = current(txn, message.booking.event_id, correlation).await?
        && !is_final(&event)
    {
        // Held as requested: still pending until an administrator approves in booking.
        set_space(
            txn,
            &event,
            SpaceStatus::Pending,
            Some("held; waiting for approval".into()),
            None,
        )
        .await?;
    }
    Ok(())
}

pub async fn approved(
    txn: &DatabaseTransaction,
    message: &BookingApproved,
    correlation: Option<&str>,
) -> Result<(), HandleError> {
    if let Some(event) = current(txn, message.booking.event_id, correlation).await?
        && !is_final(&event)
    {
        let status =
            (event.status == EventStatus::NeedsSpace.as_str()).then_some(EventStatus::Draft);
        set_space(txn, &event, SpaceStatus::Confirmed, None, status).await?;
    }
    Ok(())
}

pub async fn rejected(
    txn: &DatabaseTransaction,
    message: &BookingRejected,
    correlation: Option<&str>,
) -> Result<(), HandleError> {
    if let Some(event) = current(txn, message.event_id, correlation).await?
        && !is_final(&event)
    {
        let status =
            (event.status != EventStatus::Published.as_str()).then_some(EventStatus::NeedsSpace);
        set_space(
            txn,
            &event,
            SpaceStatus::Unavailable,
            Some(message.reason.clone()),
            status,
        )
        .await?;
    }
    Ok(())
}

pub async fn cancelled(
    txn: &DatabaseTransaction,
    message: &BookingCancelled,
    correlation: Option<&str>,
) -> Result<(), HandleError> {
    if let Some(event) = current(txn, message.booking.event_id, correlation).await?
        && !is_final(&event)
    {
        let reason = message
            .reason
            .clone()
            .unwrap_or_else(|| "the booking was cancelled".into());
        let status =
            (event.status != EventStatus::Published.as_str()).then_some(EventStatus::NeedsSpace);
        set_space(txn, &event, SpaceStatus::Unavailable, Some(reason), status).await?;
    }
    Ok(())
}
