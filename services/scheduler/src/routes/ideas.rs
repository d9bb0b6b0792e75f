//! `/api/v1/ideas`: ideas from people without an account over [`crate::ops::ideas`]: sent
//! (public), verified through the emailed link (public, with its token), and moderated by
//! administrators; and whether a call takes them.

use crate::{
    ops::{
        calls::CallView,
        ideas::{
            self as ops, IdeaAcceptance, IdeaDecision, IdeaDecline, IdeaFilter, IdeaReceipt,
            IdeaView, IdeasTaken, NewIdea, Origin,
        },
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, ClientAddress, Json, Path, Problem, PublicLimit, Query},
};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Sends an idea to a call that takes ideas from anyone. Its author gets an email with a link
/// that verifies it; until then staff do not see it.
#[utoipa::path(
    post,
    path = "/api/v1/ideas",
    tag = "ideas",
    security(()),
    request_body = NewIdea,
    responses(
        (status = 202, description = "Stored unverified; the verification email is on its way (or went moments ago)", body = IdeaReceipt),
        (status = 404, description = "Unknown call", body = Problem),
        (status = 422, description = "Bad fields, or a call that takes no ideas now (the problem names `call_id`)", body = Problem),
        (status = 429, description = "Too many requests from this address, or too many confirmations to this email (the problem names the field); see Retry-After", body = Problem),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    _limit: PublicLimit,
    ClientAddress(client): ClientAddress,
    Json(body): Json<NewIdea>,
) -> Result<(StatusCode, axum::Json<IdeaReceipt>), ApiError> {
    let origin = Origin {
        client: client.as_deref(),
        challenge: None,
    };
    let receipt = ops::submit(&state, body, origin).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(receipt)))
}

/// The queue of ideas verified by their authors (or those accepted or declined): administrators.
#[utoipa::path(
    get,
    path = "/api/v1/ideas",
    tag = "ideas",
    security(("bearer" = ["admin"])),
    params(IdeaFilter),
    responses(
        (status = 200, body = Vec<IdeaView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<IdeaFilter>,
) -> Result<axum::Json<Vec<IdeaView>>, ApiError> {
    Ok(axum::Json(ops::list(&state, &caller, filter).await?))
}

/// One idea (unverified ones are not found): administrators.
#[utoipa::path(
    get,
    path = "/api/v1/ideas/{id}",
    tag = "ideas",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Idea id")),
    responses(
        (status = 200, body = IdeaView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<IdeaView>, ApiError> {
    Ok(axum::Json(ops::get(&state, &caller, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VerifyLink {
    /// The signed token from the idea's verification email.
    pub token: String,
}

/// Verifies an idea with the signed token from its email (what the verification page's button
/// does): it joins the staff's queue. Verifying twice changes nothing.
#[utoipa::path(
    post,
    path = "/api/v1/ideas/{id}/verify",
    tag = "ideas",
    security(("link" = [])),
    params(("id" = Uuid, Path, description = "Idea id"), VerifyLink),
    responses(
        (status = 200, body = IdeaReceipt), (status = 403, description = "The link is not valid, has expired or is for another idea", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = Problem),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    _limit: PublicLimit,
    Path(id): Path<Uuid>,
    Query(link): Query<VerifyLink>,
) -> Result<axum::Json<IdeaReceipt>, ApiError> {
    let (row, _) = ops::verify(&state, id, &link.token).await?;
    Ok(axum::Json(IdeaReceipt {
        status: ops::IdeaStatus::parse(&row.status).unwrap_or(ops::IdeaStatus::Verified),
        verify_by: row.verified_at.unwrap_or(row.created_at),
    }))
}

/// Accepts a verified idea: it becomes a proposal of its call (marked with the idea's id), and
/// its author is told.
#[utoipa::path(
    post,
    path = "/api/v1/ideas/{id}/accept",
    tag = "ideas",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Idea id")),
    request_body = IdeaAcceptance,
    responses(
        (status = 200, body = IdeaDecision), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already decided", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<IdeaAcceptance>,
) -> Result<axum::Json<IdeaDecision>, ApiError> {
    Ok(axum::Json(ops::accept(&state, &caller, id, body).await?))
}

/// Declines a verified idea with a reason its author is told.
#[utoipa::path(
    post,
    path = "/api/v1/ideas/{id}/decline",
    tag = "ideas",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Idea id")),
    request_body = IdeaDecline,
    responses(
        (status = 200, body = IdeaDecision), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already decided", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<IdeaDecline>,
) -> Result<axum::Json<IdeaDecision>, ApiError> {
    Ok(axum::Json(ops::decline(&state, &caller, id, body).await?))
}

/// Whether a call takes ideas from people without an account.
#[utoipa::path(
    put,
    path = "/api/v1/calls/{id}/accepts-ideas",
    tag = "ideas",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Call id")),
    request_body = IdeasTaken,
    responses(
        (status = 200, body = CallView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn set_accepts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<IdeasTaken>,
) -> Result<axum::Json<CallView>, ApiError> {
    Ok(axum::Json(
        ops::set_accepts(&state, &caller, id, body).await?,
    ))
}

/// Erases the author's name, address and group from an idea (and from the proposal it became),
/// keeping what the counts need.
#[utoipa::path(
    post,
    path = "/api/v1/ideas/{id}/erase",
    tag = "ideas",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Idea id")),
    responses(
        (status = 200, body = IdeaView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<IdeaView>, ApiError> {
    Ok(axum::Json(ops::erase(&state, &caller, id).await?))
}
