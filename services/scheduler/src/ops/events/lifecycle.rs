//! An event's way through its life: an administrator schedules a proposal into the season,
//! publishes it (its space must be confirmed), or cancels it.

use crate::{
    db::occurrences,
    domain::{CANCELLED, EventStatus, SCHEDULED, SpaceStatus},
    error::SchedulerError,
    ops::input,
    schedule::{
        self,
        announce::{self, Change},
    },
    state::AppState,
    views::EventView,
};
use piazza_shared::auth::{Caller, Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

fn status_of(event: &crate::db::events::Model) -> EventStatus {
    EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft)
}

/// Publishes an event; its space, if any, must be confirmed.
pub async fn publish(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<EventView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut loaded = schedule::load_locked(&*unit, id).await?;
    // A co-design table's meeting is an event only to hold its space; it is never public.
    if crate::db::tables::is_meeting(&*unit, id).await? {
        return Err(piazza_shared::http::ApiError::refused(
            "meeting_not_publishable",
            "this event is a co-design table's meeting: the tables' page shows it",
            Vec::new(),
        )
        .into());
    }
    let status = status_of(&loaded.event);
    if !matches!(
        status,
        EventStatus::Draft | EventStatus::Proposed | EventStatus::Scheduled
    ) {
        return Err(SchedulerError::NotPublishable(status));
    }
    let event = &mut loaded.event;
    if event.space_id.is_some() && event.space_status != SpaceStatus::Confirmed.as_str() {
        return Err(SchedulerError::SpaceNotConfirmed {
            status: event.space_status.clone(),
            conflicts: vec![
                serde_json::json!({ "space_id": event.space_id, "space_status": event.space_status, "reason": event.space_reason }),
            ],
        });
    }
    let now = piazza_shared::clock::now();
    if !loaded
        .occurrences
        .iter()
        .any(|o| o.status == SCHEDULED && o.ends_at > now)
    {
        return Err(SchedulerError::NothingToPublish);
    }
    event.status = EventStatus::Published.as_str().into();
    event.sequence += 1;
    event.updated_at = now;
    event.published_at = Some(now);
    announce::save(&*unit, event).await?;
    announce::announce(&*unit, &state.outbox, &loaded, Change::Published).await?;
    let (before, after) = (
        json!({ "status": status.as_str() }),
        json!({ "status": "published" }),
    );
    unit.audit(&caller.0, "event.publish", id, Some(before), Some(after))
        .await?;
    unit.commit().await?;
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event published");
    Ok(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    ))
}

/// Takes a proposal (or a draft) into the season: an operator's held slot is approved, and an
/// event that could not get its space asks again.
pub async fn schedule(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<EventView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    super::refuse_meeting(state.db.conn(), id).await?;
    let unit = state.begin().await?;
    let mut loaded = schedule::load_locked(&*unit, id).await?;
    let status = status_of(&loaded.event);
    if !matches!(
        status,
        EventStatus::Draft
            | EventStatus::Proposed
            | EventStatus::NeedsSpace
            | EventStatus::Scheduled
    ) {
        return Err(SchedulerError::NotSchedulable(status));
    }
    let now = piazza_shared::clock::now();
    let event = &mut loaded.event;
    event.status = EventStatus::Scheduled.as_str().into();
    event.updated_at = now;
    // A held slot becomes approved, a refused or timed-out one is asked for again.
    if event.space_id.is_some() && event.space_status != SpaceStatus::Confirmed.as_str() {
        announce::request_slots(&*unit, &state.outbox, event, &loaded.occurrences, now).await?;
    }
    announce::save(&*unit, event).await?;
    let (before, after) = (
        json!({ "status": status.as_str() }),
        json!({ "status": "scheduled" }),
    );
    unit.audit(&caller.0, "event.schedule", id, Some(before), Some(after))
        .await?;
    unit.commit().await?;
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event scheduled");
    Ok(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelEvent {
    pub reason: String,
}

/// Cancels an event and every occurrence, and lets its space go (not a co-design table's
/// meeting: its table calls it off).
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: CancelEvent,
) -> Result<EventView, SchedulerError> {
    super::refuse_meeting(state.db.conn(), id).await?;
    cancel_any(state, caller, id, body).await
}

/// Cancels any event, a table's meeting included (for `ops::tables::meetings`).
pub(crate) async fn cancel_any(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: CancelEvent,
) -> Result<EventView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let reason = input::reason(&body.reason)?;
    let unit = state.begin().await?;
    let mut loaded = schedule::load_locked(&*unit, id).await?;
    let status = status_of(&loaded.event);
    if status.is_final() {
        return Err(SchedulerError::AlreadyFinal(status));
    }
    // The summary keeps the occurrences that were scheduled, so the notifier can name them.
    let announced = loaded.clone();
    let now = piazza_shared::clock::now();
    let event = &mut loaded.event;
    event.status = EventStatus::Cancelled.as_str().into();
    event.cancel_reason = Some(reason.clone());
    event.sequence += 1;
    event.updated_at = now;
    if event.space_id.is_some() {
        announce::release_slots(
            &*unit,
            &state.outbox,
            event,
            &format!("event cancelled: {reason}"),
        )
        .await?;
    }
    announce::save(&*unit, event).await?;
    occurrences::Entity::update_many()
        .col_expr(occurrences::Column::Status, Expr::value(CANCELLED))
        .col_expr(
            occurrences::Column::CancelReason,
            Expr::value(reason.clone()),
        )
        .col_expr(occurrences::Column::UpdatedAt, Expr::value(now))
        .filter(occurrences::Column::EventId.eq(id))
        .filter(occurrences::Column::Status.eq(SCHEDULED))
        .exec(&*unit)
        .await?;
    for occurrence in loaded
        .occurrences
        .iter_mut()
        .filter(|o| o.status == SCHEDULED)
    {
        occurrence.status = CANCELLED.into();
        occurrence.cancel_reason = Some(reason.clone());
        occurrence.updated_at = Some(now);
    }
    if announce::is_public(&loaded.event) {
        announce::announce(
            &*unit,
            &state.outbox,
            &announced,
            Change::Cancelled {
                reason,
                occurrence_ids: Vec::new(),
            },
        )
        .await?;
    }
    let before = json!({ "status": status.as_str() });
    let after = json!({ "status": "cancelled", "cancel_reason": loaded.event.cancel_reason });
    unit.audit(&caller.0, "event.cancel", id, Some(before), Some(after))
        .await?;
    unit.commit().await?;
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event cancelled");
    Ok(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    ))
}
