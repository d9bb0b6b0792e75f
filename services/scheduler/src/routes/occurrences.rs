//! `/api/v1/events/{id}/occurrences/{occurrence_id}`: moving and cancelling occurrences over
//! [`crate::ops::events::occurrences`].

use crate::{
    ops::events::occurrences::{self as ops, CancelOccurrence, OccurrencePatch},
    state::AppState,
    views::EventView,
};
use axum::extract::State;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, RawJson},
};
use uuid::Uuid;

/// Moves one occurrence, or it and the following ones (by the same shift in local time).
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}/occurrences/{occurrence_id}",
    tag = "events",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Event id"), ("occurrence_id" = Uuid, Path, description = "Occurrence id")),
    request_body = OccurrencePatch,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn move_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, occurrence_id)): Path<(Uuid, Uuid)>,
    body: RawJson,
) -> Result<axum::Json<EventView>, ApiError> {
    Ok(axum::Json(
        ops::move_occurrence(&state, &caller, (id, occurrence_id), body).await?,
    ))
}

/// Cancels one occurrence, or it and the following ones. The series remembers it (an EXDATE, or
/// an earlier UNTIL), so editing the series later does not bring it back. Cancelling every
/// occurrence that is left cancels the event.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/occurrences/{occurrence_id}/cancel",
    tag = "events",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Event id"), ("occurrence_id" = Uuid, Path, description = "Occurrence id")),
    request_body = CancelOccurrence,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn cancel_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, occurrence_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<CancelOccurrence>,
) -> Result<axum::Json<EventView>, ApiError> {
    Ok(axum::Json(
        ops::cancel_occurrence(&state, &caller, (id, occurrence_id), body).await?,
    ))
}
