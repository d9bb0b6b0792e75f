//! `PATCH /api/v1/events/{id}` over [`crate::ops::events::changes`].

use crate::{
    ops::events::changes::{self as ops, EventPatch},
    state::AppState,
    views::EventView,
};
use axum::extract::State;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Edits or reschedules an event.
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}",
    tag = "events",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = EventPatch,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Cancelled or completed", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<EventPatch>,
) -> Result<axum::Json<EventView>, ApiError> {
    Ok(axum::Json(ops::patch(&state, &caller, id, body).await?))
}
