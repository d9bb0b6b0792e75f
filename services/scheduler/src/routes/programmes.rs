//! `/api/v1/programmes`: festivals, workshops and pathways over [`crate::ops::programmes`].

use crate::{
    ops::programmes::{self as ops, NewProgramme, ProgrammeFilter, ProgrammePatch, ProgrammeView},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, Query},
};
use uuid::Uuid;

/// Creates a programme in a season.
#[utoipa::path(
    post,
    path = "/api/v1/programmes",
    tag = "programmes",
    security(("bearer" = ["admin"])),
    request_body = NewProgramme,
    responses(
        (status = 201, body = ProgrammeView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Unknown season", body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewProgramme>,
) -> Result<(StatusCode, axum::Json<ProgrammeView>), ApiError> {
    let answer = ops::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(answer)))
}

/// The programmes (of a season), without their events.
#[utoipa::path(
    get,
    path = "/api/v1/programmes",
    tag = "programmes",
    security((), ("bearer" = ["admin", "operator"])),
    params(ProgrammeFilter),
    responses((status = 200, body = Vec<ProgrammeView>), (status = 422, body = Problem))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<ProgrammeFilter>,
) -> Result<axum::Json<Vec<ProgrammeView>>, ApiError> {
    Ok(axum::Json(ops::list(&state, filter).await?))
}

/// One programme with its events (administrators see the unpublished ones too) and, for a
/// pathway, how full it is.
#[utoipa::path(
    get,
    path = "/api/v1/programmes/{id}",
    tag = "programmes",
    security((), ("bearer" = ["admin", "operator"])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses((status = 200, body = ProgrammeView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProgrammeView>, ApiError> {
    Ok(axum::Json(ops::get_one(&state, caller.as_ref(), id).await?))
}

/// Renames a programme or changes its places; freed places go to the first in its waitlist.
#[utoipa::path(
    patch,
    path = "/api/v1/programmes/{id}",
    tag = "programmes",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Programme id")),
    request_body = ProgrammePatch,
    responses(
        (status = 200, body = ProgrammeView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<ProgrammePatch>,
) -> Result<axum::Json<ProgrammeView>, ApiError> {
    Ok(axum::Json(ops::patch(&state, &caller, id, body).await?))
}
