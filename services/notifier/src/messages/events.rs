//! Events as the scheduler announces them: the notifier keeps a copy of each (its read model, for
//! rendering emails and digests), writes one delivery per matching instant subscriber when one
//! is published (weekly ones get the digest), and tells the people concerned when one moves or
//! is called off.
//!
//! Who is concerned by a change: the people registered (confirmed or waiting), and the
//! subscribers whose announcement was sent or is being sent. An announcement still pending is
//! simply written with the event as it then stands (or dropped, when the whole event is off), so
//! nobody gets news of a change to something they never heard of. Weekly readers are not told
//! one by one: their next digest shows the event as it is.

use crate::{
    db::{
        deliveries::{self, NewDelivery, enqueue},
        events, registrations, subscribers,
    },
    domain::{DeliveryState, EventStatus, Frequency, Kind, RegistrationStatus},
};
use chrono::Datelike;
use piazza_shared::{
    bus::HandleError,
    contracts::{
        Language,
        event::{EventCancelled, EventPublished, EventRescheduled, EventSummary, EventUpdated},
    },
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

/// Stores `event` as it now stands; returns the copy it replaces. A cancelled event stays
/// cancelled (the scheduler never brings one back), so a late, retried announcement cannot
/// revive it.
pub async fn remember(
    conn: &impl ConnectionTrait,
    event: &EventSummary,
    cancelled: bool,
) -> Result<Option<EventSummary>, DbErr> {
    let first = event
        .occurrences
        .iter()
        .map(|o| o.starts_at)
        .min()
        .unwrap_or_else(piazza_shared::clock::now);
    let summary = serde_json::to_value(event).unwrap_or_default();
    let known = events::Entity::find_by_id(event.event_id).one(conn).await?;
    let Some(known) = known else {
        let row = events::Model {
            id: event.event_id,
            summary,
            first_starts_at: first,
            published_at: piazza_shared::clock::now(),
            status: if cancelled {
                EventStatus::Cancelled
            } else {
                EventStatus::Published
            }
            .as_str()
            .into(),
        };
        events::Entity::insert(events::ActiveModel::from(row))
            .exec_without_returning(conn)
            .await?;
        return Ok(None);
    };
    let status = if cancelled || known.status() == EventStatus::Cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Published
    };
    events::Entity::update_many()
        .col_expr(events::Column::Summary, Expr::value(summary))
        .col_expr(events::Column::FirstStartsAt, Expr::value(first))
        .col_expr(events::Column::Status, Expr::value(status.as_str()))
        .filter(events::Column::Id.eq(event.event_id))
        .exec(conn)
        .await?;
    Ok(serde_json::from_value(known.summary).ok())
}

pub async fn published(
    txn: &DatabaseTransaction,
    message: &EventPublished,
) -> Result<(), HandleError> {
    let event = &message.event;
    remember(txn, event, false).await?;
    let matched = subscribers::matching(
        txn,
        event,
        Frequency::Instant,
        piazza_shared::clock::now().year(),
    )
    .await?;
    let items: Vec<NewDelivery> = matched
        .into_iter()
        .map(|s| NewDelivery {
            kind: Kind::EventPublished,
            subject_id: event.event_id,
            recipient: s.email,
            subscriber_id: Some(s.id),
            language: Language::parse(&s.language).unwrap_or_default(),
            context: serde_json::Value::Null,
        })
        .collect();
    let matched = items.len();
    let created = enqueue(txn, items).await?;
    tracing::info!(event_id = %event.event_id, matched, created, "event published: deliveries queued");
    Ok(())
}

/// Details changed without moving the event: the copy is refreshed, nobody is emailed.
pub async fn updated(txn: &DatabaseTransaction, message: &EventUpdated) -> Result<(), HandleError> {
    remember(txn, &message.event, false).await?;
    Ok(())
}

pub async fn rescheduled(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    message: &EventRescheduled,
) -> Result<(), HandleError> {
    let event = &message.event;
    remember(txn, event, false).await?;
    let moved: Vec<Uuid> = message.previous.iter().map(|o| o.occurrence_id).collect();
    let context = serde_json::json!({
        "event_id": event.event_id,
        "previous": message.previous,
        "previous_place": message.previous_place,
    });
    let created = tell_concerned(
        txn,
        Kind::EventRescheduled,
        message_id,
        event.event_id,
        &moved,
        context,
    )
    .await?;
    tracing::info!(event_id = %event.event_id, created, "event rescheduled: notices queued");
    Ok(())
}

pub async fn cancelled(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    message: &EventCancelled,
) -> Result<(), HandleError> {
    let event = &message.event;
    let whole = message.occurrence_ids.is_empty();
    let before = remember(txn, event, whole).await?;
    // The occurrences called off, named from the copy before this change (the event as it
    // stands after a partial cancellation no longer lists them).
    let off: Vec<_> = if whole {
        event.occurrences.clone()
    } else {
        before
            .as_ref()
            .unwrap_or(event)
            .occurrences
            .iter()
            .filter(|o| message.occurrence_ids.contains(&o.occurrence_id))
            .cloned()
            .collect()
    };
    if whole {
        // Announcements not yet sent are dropped: there is nothing left to announce.
        let announcements = Condition::all()
            .add(deliveries::Column::Kind.eq(Kind::EventPublished.as_str()))
            .add(deliveries::Column::SubjectId.eq(event.event_id));
        deliveries::cancel_pending(txn, announcements, "the event was cancelled").await?;
    }
    let context = serde_json::json!({
        "event_id": event.event_id,
        "reason": message.reason,
        "occurrences": off,
        "whole": whole,
    });
    let created = tell_concerned(
        txn,
        Kind::EventCancelled,
        message_id,
        event.event_id,
        &message.occurrence_ids,
        context,
    )
    .await?;
    tracing::info!(event_id = %event.event_id, created, whole, "event cancelled: notices queued");
    Ok(())
}

/// Queues a `kind` email about a change (carried by message `message_id`) to everyone concerned
/// by `event_id`: first the people registered — for the whole event, or for one of `affected`
/// occurrences (all of them when empty) — then the subscribers it was announced to. One person
/// both registered and subscribed gets one email, the registrant's.
async fn tell_concerned(
    txn: &DatabaseTransaction,
    kind: Kind,
    message_id: Uuid,
    event_id: Uuid,
    affected: &[Uuid],
    context: serde_json::Value,
) -> Result<u64, DbErr> {
    let registered = registrations::Entity::find()
        .filter(registrations::Column::EventId.eq(event_id))
        .filter(registrations::Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
        .all(txn)
        .await?;
    let mut items: Vec<NewDelivery> = registered
        .into_iter()
        .filter(|r| affected.is_empty() || r.occurrence_id.is_none_or(|o| affected.contains(&o)))
        .map(|r| {
            let mut context = context.clone();
            context["registration_id"] = serde_json::json!(r.id);
            NewDelivery {
                kind,
                subject_id: message_id,
                recipient: r.email,
                subscriber_id: None,
                language: Language::parse(&r.language).unwrap_or_default(),
                context,
            }
        })
        .collect();
    let told = deliveries::Entity::find()
        .filter(deliveries::Column::Kind.eq(Kind::EventPublished.as_str()))
        .filter(deliveries::Column::SubjectId.eq(event_id))
        .filter(deliveries::Column::State.is_in([
            DeliveryState::Sent.as_str(),
            DeliveryState::Sending.as_str(),
        ]))
        .all(txn)
        .await?;
    let mut seen: std::collections::HashSet<String> =
        items.iter().map(|i| i.recipient.clone()).collect();
    for delivery in told {
        if seen.insert(delivery.recipient.clone()) {
            items.push(NewDelivery {
                kind,
                subject_id: message_id,
                recipient: delivery.recipient,
                subscriber_id: delivery.subscriber_id,
                language: Language::parse(&delivery.language).unwrap_or_default(),
                context: context.clone(),
            });
        }
    }
    enqueue(txn, items).await
}
