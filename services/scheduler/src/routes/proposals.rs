//! `/api/v1/calls/{id}/proposals` and `/api/v1/proposals`: proposals to calls for ideas over
//! [`crate::ops::proposals`].

use crate::{
    ops::proposals::{self, Acceptance, Decline, NewProposal, ProposalView},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Sends a proposal to an open call (operators, for their organisation).
#[utoipa::path(
    post,
    path = "/api/v1/calls/{id}/proposals",
    tag = "calls",
    security(("bearer" = ["admin", "operator"])),
    params(("id" = Uuid, Path, description = "Call id")),
    request_body = NewProposal,
    responses(
        (status = 201, body = ProposalView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, description = "Bad fields, or the call is not open", body = Problem),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewProposal>,
) -> Result<(StatusCode, axum::Json<ProposalView>), ApiError> {
    let proposal = proposals::submit(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(proposal)))
}

/// The proposals sent to a call: all for administrators, their own for operators.
#[utoipa::path(
    get,
    path = "/api/v1/calls/{id}/proposals",
    tag = "calls",
    security(("bearer" = ["admin", "operator"])),
    params(("id" = Uuid, Path, description = "Call id")),
    responses(
        (status = 200, body = Vec<ProposalView>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_proposals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<ProposalView>>, ApiError> {
    Ok(axum::Json(proposals::list(&state, &caller, id).await?))
}

/// One proposal: administrators and its organisation.
#[utoipa::path(
    get,
    path = "/api/v1/proposals/{id}",
    tag = "calls",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Proposal id")),
    responses(
        (status = 200, body = ProposalView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProposalView>, ApiError> {
    Ok(axum::Json(proposals::get(&state, &caller, id).await?))
}

/// Accepts a proposal: a draft weekly event at its preferred slot (for its sessions, or to the
/// season's end) is made in the season, and asks booking for its space.
#[utoipa::path(
    post,
    path = "/api/v1/proposals/{id}/accept",
    tag = "calls",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = Acceptance,
    responses(
        (status = 200, body = ProposalView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already decided", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Option<Json<Acceptance>>,
) -> Result<axum::Json<ProposalView>, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    Ok(axum::Json(
        proposals::accept(&state, &caller, id, body).await?,
    ))
}

/// Declines a proposal, saying why.
#[utoipa::path(
    post,
    path = "/api/v1/proposals/{id}/decline",
    tag = "calls",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Proposal id")),
    request_body = Decline,
    responses(
        (status = 200, body = ProposalView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already decided", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<Decline>,
) -> Result<axum::Json<ProposalView>, ApiError> {
    Ok(axum::Json(
        proposals::decline(&state, &caller, id, body).await?,
    ))
}
