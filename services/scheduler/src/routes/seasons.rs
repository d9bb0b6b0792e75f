//! `/api/v1/seasons`: seasons over [`crate::ops::seasons`].

use crate::{
    ops::seasons::{self, NewSeason, SeasonPatch},
    state::AppState,
    views::SeasonView,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Opens a season for planning.
#[utoipa::path(
    post,
    path = "/api/v1/seasons",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    request_body = NewSeason,
    responses(
        (status = 201, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewSeason>,
) -> Result<(StatusCode, axum::Json<SeasonView>), ApiError> {
    let season = seasons::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(season)))
}

/// Every season, latest first.
#[utoipa::path(
    get,
    path = "/api/v1/seasons",
    tag = "seasons",
    security(()),
    responses((status = 200, body = Vec<SeasonView>))
)]
pub async fn list(State(state): State<AppState>) -> Result<axum::Json<Vec<SeasonView>>, ApiError> {
    Ok(axum::Json(seasons::list(&state).await?))
}

/// One season; an administrator also sees the problems of its imported calendars (their
/// addresses often hold a secret, and their errors describe the network the scheduler sees).
#[utoipa::path(
    get,
    path = "/api/v1/seasons/{id}",
    tag = "seasons",
    security(()),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, description = "The season; `feed_problems` only for an administrator's token", body = SeasonView),
        (status = 401, description = "A token was sent and is not valid", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    Ok(axum::Json(seasons::get(&state, caller.as_ref(), id).await?))
}

/// Renames or re-dates a season; its events must still fit in it.
#[utoipa::path(
    patch,
    path = "/api/v1/seasons/{id}",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    request_body = SeasonPatch,
    responses(
        (status = 200, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Archived", body = Problem),
        (status = 422, description = "Bad fields, or events would fall outside", body = Problem),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<SeasonPatch>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    Ok(axum::Json(seasons::patch(&state, &caller, id, body).await?))
}

/// Publishes a season that was being planned.
#[utoipa::path(
    post,
    path = "/api/v1/seasons/{id}/publish",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Not in planning", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    Ok(axum::Json(seasons::publish(&state, &caller, id).await?))
}

/// Archives a published season; it keeps its events but takes nothing new.
#[utoipa::path(
    post,
    path = "/api/v1/seasons/{id}/archive",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Not published", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    Ok(axum::Json(seasons::archive(&state, &caller, id).await?))
}
