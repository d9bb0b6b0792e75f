//! `/api/v1/spaces`: the catalogue (public to read, admins to change) and availability, over
//! [`crate::ops::spaces`].

use crate::{
    ops::spaces::{self, Availability, NewSpace, RangeQuery, SpaceFilter, SpacePatch},
    state::AppState,
    views::SpaceView,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, Query, page},
};
use uuid::Uuid;

/// Adds a space to the catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/spaces",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    request_body = NewSpace,
    responses(
        (status = 201, description = "The new space", body = SpaceView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewSpace>,
) -> Result<(StatusCode, axum::Json<SpaceView>), ApiError> {
    let space = spaces::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(space)))
}

/// Finds spaces.
#[utoipa::path(
    get,
    path = "/api/v1/spaces",
    tag = "spaces",
    security(()),
    params(SpaceFilter),
    responses(
        (status = 200, description = "Matching spaces, by name", body = piazza_shared::http::Page<SpaceView>),
        (status = 422, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<SpaceFilter>,
) -> Result<axum::Json<page::Page<SpaceView>>, ApiError> {
    Ok(axum::Json(spaces::list(&state, filter).await?))
}

/// One space.
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id")),
    responses((status = 200, body = SpaceView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SpaceView>, ApiError> {
    Ok(axum::Json(spaces::get(&state, id).await?))
}

/// Changes a space. New buffers or a new parent apply to its live bookings too (their holds are
/// written again); refused with 409 when that would make live bookings overlap or meet a closure.
#[utoipa::path(
    patch,
    path = "/api/v1/spaces/{id}",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    request_body = SpacePatch,
    responses(
        (status = 200, body = SpaceView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Live bookings would overlap (`tree_clash`)", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(patch): Json<SpacePatch>,
) -> Result<axum::Json<SpaceView>, ApiError> {
    Ok(axum::Json(
        spaces::update(&state, &caller, id, patch).await?,
    ))
}

/// When a space is free: opening hours minus closures minus held slots (with buffers).
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}/availability",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id"), RangeQuery),
    responses((status = 200, body = Availability), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn availability(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(range): Query<RangeQuery>,
) -> Result<axum::Json<Availability>, ApiError> {
    Ok(axum::Json(spaces::availability(&state, id, range).await?))
}
