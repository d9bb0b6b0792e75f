//! `/api/v1/organisations` (administrators): the organisations operators act for and the fields
//! they work in, over [`crate::ops::people`].

use crate::{
    ops::people::{self, NewOrganisation, OrganisationPatch, OrganisationView},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Every organisation, by name, with its fields and how many accounts act for it.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    tag = "organisations",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, description = "Every organisation, by name", body = Vec<OrganisationView>),
        (status = 401, body = Problem), (status = 403, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<OrganisationView>>, ApiError> {
    Ok(axum::Json(people::organisations(&state, &caller).await?))
}

/// Adds an organisation; its name must be new.
#[utoipa::path(
    post,
    path = "/api/v1/organisations",
    tag = "organisations",
    security(("bearer" = ["admin"])),
    request_body = NewOrganisation,
    responses(
        (status = 201, description = "The new organisation", body = OrganisationView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewOrganisation>,
) -> Result<(StatusCode, axum::Json<OrganisationView>), ApiError> {
    let created = people::add_organisation(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Changes an organisation: the fields it works in (its operators are emailed when a call for
/// ideas opens in one of them).
#[utoipa::path(
    patch,
    path = "/api/v1/organisations/{id}",
    tag = "organisations",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Organisation id")),
    request_body = OrganisationPatch,
    responses(
        (status = 200, body = OrganisationView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(patch): Json<OrganisationPatch>,
) -> Result<axum::Json<OrganisationView>, ApiError> {
    Ok(axum::Json(
        people::update_organisation(&state, &caller, id, patch).await?,
    ))
}
