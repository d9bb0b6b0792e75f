//! `/api/v1/calls`: calls for ideas over [`crate::ops::calls`].

use crate::{
    ops::calls::{self, CallFilter, CallView, NewCall},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, Query},
};
use uuid::Uuid;

/// Opens a call for ideas for a season.
#[utoipa::path(
    post,
    path = "/api/v1/calls",
    tag = "calls",
    security(("bearer" = ["admin"])),
    request_body = NewCall,
    responses(
        (status = 201, body = CallView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Unknown season", body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create_call(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewCall>,
) -> Result<(StatusCode, axum::Json<CallView>), ApiError> {
    let call = calls::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(call)))
}

/// The calls for ideas (of a season), latest first.
#[utoipa::path(
    get,
    path = "/api/v1/calls",
    tag = "calls",
    security(()),
    params(CallFilter),
    responses((status = 200, body = Vec<CallView>), (status = 422, body = Problem))
)]
pub async fn list_calls(
    State(state): State<AppState>,
    Query(filter): Query<CallFilter>,
) -> Result<axum::Json<Vec<CallView>>, ApiError> {
    Ok(axum::Json(calls::list(&state, filter).await?))
}

/// One call for ideas.
#[utoipa::path(
    get,
    path = "/api/v1/calls/{id}",
    tag = "calls",
    security(()),
    params(("id" = Uuid, Path, description = "Call id")),
    responses((status = 200, body = CallView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_call(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CallView>, ApiError> {
    Ok(axum::Json(calls::get(&state, id).await?))
}

/// Closes a call now, before its closing date.
#[utoipa::path(
    post,
    path = "/api/v1/calls/{id}/close",
    tag = "calls",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, body = CallView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already closed", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn close_call(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CallView>, ApiError> {
    Ok(axum::Json(calls::close(&state, &caller, id).await?))
}
