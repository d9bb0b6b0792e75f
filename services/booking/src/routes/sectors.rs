//! `/api/v1/sectors` (administrators): the Comune's sectors of the intersectoral working group,
//! and `/api/v1/accounts/{id}/sectors`, which staff accounts belong to them, over
//! [`crate::ops::sectors`].

use crate::{
    ops::sectors::{self, Membership, MembershipView, NewSector, SectorView},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Every sector, by code, with its members' account ids.
#[utoipa::path(
    get,
    path = "/api/v1/sectors",
    tag = "sectors",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Every sector, by code", body = Vec<SectorView>),
        (status = 401, body = Problem), (status = 403, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<SectorView>>, ApiError> {
    Ok(axum::Json(sectors::list(&state, &caller).await?))
}

/// Adds a sector; its code must be new.
#[utoipa::path(
    post,
    path = "/api/v1/sectors",
    tag = "sectors",
    security(("bearer" = ["admin"])),
    request_body = NewSector,
    responses(
        (status = 201, description = "The new sector", body = SectorView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewSector>,
) -> Result<(StatusCode, axum::Json<SectorView>), ApiError> {
    let created = sectors::add(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Sets the sectors a staff account belongs to (all of them); its older sessions end, and its
/// next token carries them.
#[utoipa::path(
    put,
    path = "/api/v1/accounts/{id}/sectors",
    tag = "sectors",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Account id")),
    request_body = Membership,
    responses(
        (status = 200, body = MembershipView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, description = "Unknown sector, or not a staff account (`sectors`)", body = Problem),
    )
)]
pub async fn set_membership(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<Membership>,
) -> Result<axum::Json<MembershipView>, ApiError> {
    Ok(axum::Json(
        sectors::set_membership(&state, &caller, id, body).await?,
    ))
}
