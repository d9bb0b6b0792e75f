//! Published and cancelled events: the notifier keeps a copy of each event and writes one
//! delivery per matching subscriber who wants instant emails (weekly ones get the digest).

use crate::{
    db::{deliveries, events},
    deliveries::{NewDelivery, enqueue},
    domain::Kind,
    matching::subscribers_for,
};
use chrono::{Datelike, Utc};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        Language,
        event::{EventCancelled, EventPublished, EventSummary},
    },
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, sea_query::OnConflict};

async fn remember(txn: &DatabaseTransaction, event: &EventSummary) -> Result<(), HandleError> {
    let first = event
        .occurrences
        .iter()
        .map(|o| o.starts_at)
        .min()
        .unwrap_or_else(Utc::now);
    let row = events::Model {
        id: event.event_id,
        summary: serde_json::to_value(event).unwrap_or_default(),
        first_starts_at: first,
        published_at: Utc::now(),
    };
    events::Entity::insert(events::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(events::Column::Id)
                .update_columns([events::Column::Summary, events::Column::FirstStartsAt])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

pub async fn published(
    txn: &DatabaseTransaction,
    message: &EventPublished,
) -> Result<(), HandleError> {
    let event = &message.event;
    remember(txn, event).await?;
    let matched = subscribers_for(txn, event, "instant", Utc::now().year()).await?;
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

pub async fn cancelled(
    txn: &DatabaseTransaction,
    message: &EventCancelled,
) -> Result<(), HandleError> {
    let event = &message.event;
    remember(txn, event).await?;
    // Those told about the event hear that it is off; pending announcements are dropped.
    let told = deliveries::Entity::find()
        .filter(deliveries::Column::Kind.eq(Kind::EventPublished.as_str()))
        .filter(deliveries::Column::SubjectId.eq(event.event_id))
        .all(txn)
        .await?;
    let mut items = Vec::new();
    for delivery in told {
        if delivery.state == "sent" {
            items.push(NewDelivery {
                kind: Kind::EventCancelled,
                subject_id: event.event_id,
                recipient: delivery.recipient,
                subscriber_id: delivery.subscriber_id,
                language: Language::parse(&delivery.language).unwrap_or_default(),
                context: serde_json::json!({ "reason": message.reason }),
            });
        }
    }
    deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::State,
            sea_orm::sea_query::Expr::value("cancelled"),
        )
        .col_expr(
            deliveries::Column::LastError,
            sea_orm::sea_query::Expr::value(Some("the event was cancelled".to_string())),
        )
        .filter(deliveries::Column::Kind.eq(Kind::EventPublished.as_str()))
        .filter(deliveries::Column::SubjectId.eq(event.event_id))
        .filter(deliveries::Column::State.eq("pending"))
        .exec(txn)
        .await?;
    let created = enqueue(txn, items).await?;
    tracing::info!(event_id = %event.event_id, created, "event cancelled: notices queued");
    Ok(())
}
