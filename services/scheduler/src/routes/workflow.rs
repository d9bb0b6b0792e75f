//! `/api/v1/events/{id}/publish|schedule|cancel` over [`crate::ops::events::lifecycle`].

use crate::{
    ops::events::lifecycle::{self as ops, CancelEvent},
    state::AppState,
    views::EventView,
};
use axum::extract::State;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

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
    Ok(axum::Json(ops::publish(&state, &caller, id).await?))
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
    Ok(axum::Json(ops::schedule(&state, &caller, id).await?))
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
    Ok(axum::Json(ops::cancel(&state, &caller, id, body).await?))
}
