//! `/api/v1/subscribers`: subscribe (public, double opt-in), and a person's own data — export,
//! change and erasure — reached with the signed manage link from their emails. Each handler
//! extracts, calls its use case in `ops`, and answers JSON.

use crate::{
    error::NotifierError,
    links::MANAGE,
    ops::{
        links,
        preferences::{self, Preferences, PreferencesChange},
        subscribers::{self, Accepted, NewSubscriber, PersonalData},
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::http::{ClientAddress, Json, Problem, PublicLimit, Query};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The signed token from an email link.
    pub token: String,
}

/// Subscribes to event emails. Nothing but the confirmation is sent until the link in it is used.
/// The API takes no challenge (the page's form does); confirmations are limited per recipient
/// and per client address, and the same one again within the repeat window is not sent.
#[utoipa::path(
    post,
    path = "/api/v1/subscribers",
    tag = "subscribers",
    security(()),
    request_body = NewSubscriber,
    responses(
        (status = 202, description = "A confirmation email is on its way (to the guardian under 14)", body = Accepted),
        (status = 422, body = Problem),
        (status = 429, description = "Too many requests from this address, or too many confirmations to this email (the problem names the field); see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn subscribe(
    State(state): State<AppState>,
    _limit: PublicLimit,
    ClientAddress(source): ClientAddress,
    Json(body): Json<NewSubscriber>,
) -> Result<(StatusCode, axum::Json<Accepted>), NotifierError> {
    let accepted = subscribers::subscribe(&state, source, body, None).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(accepted)))
}

/// A person's own data (GDPR art. 15 and 20), with the link from any of their emails.
#[utoipa::path(
    get,
    path = "/api/v1/subscribers/export",
    tag = "subscribers",
    security(("link" = [])),
    params(TokenQuery),
    responses(
        (status = 200, body = PersonalData), (status = 401, description = "Bad or expired link", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Result<axum::Json<PersonalData>, NotifierError> {
    let holder = links::open(&state, MANAGE, &query.token).await?;
    Ok(axum::Json(subscribers::export(&state, holder).await?))
}

/// Changes one's preferences, with the manage link's token.
#[utoipa::path(
    patch,
    path = "/api/v1/subscribers",
    tag = "subscribers",
    security(("link" = [])),
    params(TokenQuery),
    request_body = PreferencesChange,
    responses(
        (status = 200, body = Preferences), (status = 401, description = "Bad or expired link", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    ClientAddress(source): ClientAddress,
    Query(query): Query<TokenQuery>,
    Json(body): Json<PreferencesChange>,
) -> Result<axum::Json<Preferences>, NotifierError> {
    let holder = links::open(&state, MANAGE, &query.token).await?;
    let updated = preferences::change(&state, holder, body, source).await?;
    Ok(axum::Json(preferences::view(&updated)))
}

/// Erases a person (GDPR art. 17): the subscriber and the consent log go; the records of emails
/// sent keep only what the outreach report counts (kind, subject, when), under a placeholder
/// recipient that is the same for this person's rows and names nobody.
#[utoipa::path(
    delete,
    path = "/api/v1/subscribers",
    tag = "subscribers",
    security(("link" = [])),
    params(TokenQuery),
    responses(
        (status = 204, description = "Erased"), (status = 401, description = "Bad or expired link", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn erase(
    State(state): State<AppState>,
    _limit: PublicLimit,
    Query(query): Query<TokenQuery>,
) -> Result<StatusCode, NotifierError> {
    let holder = links::open(&state, MANAGE, &query.token).await?;
    subscribers::erase(&state, holder).await?;
    Ok(StatusCode::NO_CONTENT)
}
