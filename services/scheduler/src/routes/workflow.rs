//! An event's way through its life: an administrator schedules a proposal into the season,
//! publishes it (its space must be confirmed), or cancels it.

use super::views::EventView;
use crate::db::occurrences;
use crate::{
    domain::{CANCELLED, EventStatus, SCHEDULED, SpaceStatus, TextRule, check_text},
    schedule::{
        self,
        announce::{self, Change},
    },
    state::AppState,
};
use axum::extract::State;
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    http::{ApiError, Json, Path, Problem, Violations},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

fn status_of(event: &crate::db::events::Model) -> EventStatus {
    EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft)
}

/// Publishes an event; its space, if any, must be confirmed.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/publish",
    tag = "events",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Space not confirmed, or not publishable", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EventView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let mut loaded = schedule::load_locked(&*txn, id).await?;
    let status = status_of(&loaded.event);
    if !matches!(
        status,
        EventStatus::Draft | EventStatus::Proposed | EventStatus::Scheduled
    ) {
        return Err(ApiError::conflict(
            format!("an event that is {} cannot be published", status.as_str()),
            vec![],
        ));
    }
    let event = &mut loaded.event;
    if event.space_id.is_some() && event.space_status != SpaceStatus::Confirmed.as_str() {
        return Err(ApiError::conflict(
            format!("the space is {}, not confirmed", event.space_status),
            vec![
                serde_json::json!({ "space_id": event.space_id, "space_status": event.space_status, "reason": event.space_reason }),
            ],
        ));
    }
    let now = piazza_shared::clock::now();
    if !loaded
        .occurrences
        .iter()
        .any(|o| o.status == SCHEDULED && o.ends_at > now)
    {
        return Err(ApiError::conflict(
            "every occurrence is over or cancelled",
            vec![],
        ));
    }
    event.status = EventStatus::Published.as_str().into();
    event.sequence += 1;
    event.updated_at = now;
    event.published_at = Some(now);
    announce::save(&*txn, event).await?;
    announce::announce(&*txn, &state.outbox, &loaded, Change::Published).await?;
    let (before, after) = (
        json!({ "status": status.as_str() }),
        json!({ "status": "published" }),
    );
    audit::record(
        &*txn,
        &caller.0,
        "event.publish",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event published");
    Ok(axum::Json(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    )))
}

/// Takes a proposal (or a draft) into the season: an operator's held slot is approved, and an
/// event that could not get its space asks again.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/schedule",
    tag = "events",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Published, cancelled or completed", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EventView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let mut loaded = schedule::load_locked(&*txn, id).await?;
    let status = status_of(&loaded.event);
    if !matches!(
        status,
        EventStatus::Draft
            | EventStatus::Proposed
            | EventStatus::NeedsSpace
            | EventStatus::Scheduled
    ) {
        return Err(ApiError::conflict(
            format!("an event that is {} cannot be scheduled", status.as_str()),
            vec![],
        ));
    }
    let now = piazza_shared::clock::now();
    let event = &mut loaded.event;
    event.status = EventStatus::Scheduled.as_str().into();
    event.updated_at = now;
    // A held slot becomes approved, a refused or timed-out one is asked for again.
    if event.space_id.is_some() && event.space_status != SpaceStatus::Confirmed.as_str() {
        announce::request_slots(&*txn, &state.outbox, event, &loaded.occurrences, now).await?;
    }
    announce::save(&*txn, event).await?;
    let (before, after) = (
        json!({ "status": status.as_str() }),
        json!({ "status": "scheduled" }),
    );
    audit::record(
        &*txn,
        &caller.0,
        "event.schedule",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event scheduled");
    Ok(axum::Json(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelEvent {
    pub reason: String,
}

/// Checks a cancellation reason.
pub fn reason(text: &str) -> Result<String, ApiError> {
    let mut v = Violations::new();
    let reason = check_text(&mut v, "reason", text, TextRule::REASON);
    v.finish()?;
    Ok(reason)
}

/// Cancels an event and every occurrence, and lets its space go.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/cancel",
    tag = "events",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = CancelEvent,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<CancelEvent>,
) -> Result<axum::Json<EventView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let reason = reason(&body.reason)?;
    let txn = state.db.begin().await?;
    let mut loaded = schedule::load_locked(&*txn, id).await?;
    let status = status_of(&loaded.event);
    if status.is_final() {
        return Err(ApiError::conflict(
            format!("the event is already {}", status.as_str()),
            vec![],
        ));
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
            &*txn,
            &state.outbox,
            event,
            &format!("event cancelled: {reason}"),
        )
        .await?;
    }
    announce::save(&*txn, event).await?;
    occurrences::Entity::update_many()
        .col_expr(occurrences::Column::Status, Expr::value(CANCELLED))
        .col_expr(
            occurrences::Column::CancelReason,
            Expr::value(reason.clone()),
        )
        .col_expr(occurrences::Column::UpdatedAt, Expr::value(now))
        .filter(occurrences::Column::EventId.eq(id))
        .filter(occurrences::Column::Status.eq(SCHEDULED))
        .exec(&*txn)
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
            &*txn,
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
    audit::record(
        &*txn,
        &caller.0,
        "event.cancel",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event cancelled");
    Ok(axum::Json(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    )))
}
