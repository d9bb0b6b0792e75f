//! `/api/v1/.../registrations`: registering and cancelling over [`crate::ops::registrations`].

use crate::{
    ops::registrations::{
        self as ops, CancelLink, NewRegistration, Origin, RegistrationView, Target,
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, ClientAddress, Json, Path, Problem, PublicLimit, Query},
};
use uuid::Uuid;

/// A new registration answers 201, one already there 200.
fn answer(registered: ops::Registered) -> (StatusCode, axum::Json<RegistrationView>) {
    let status = if registered.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, axum::Json(registered.registration))
}

/// Registers for a published event (for a session of a pathway: for the whole pathway).
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/registrations",
    tag = "registrations",
    security(()),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Confirmed or waitlisted", body = RegistrationView),
        (status = 200, description = "Already registered: the registration as it is", body = RegistrationView),
        (status = 404, body = Problem),
        (status = 422, description = "Bad fields, registrations closed, or full without a waitlist", body = Problem),
        (status = 429, description = "Too many requests from this address, or too many confirmations to this email (the problem names the field); see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn register_for_event(
    State(state): State<AppState>,
    _limit: PublicLimit,
    ClientAddress(client): ClientAddress,
    Path(id): Path<Uuid>,
    Json(body): Json<NewRegistration>,
) -> Result<(StatusCode, axum::Json<RegistrationView>), ApiError> {
    let origin = Origin {
        client: client.as_deref(),
        challenge: None,
    };
    Ok(answer(
        ops::register(&state, Target::Event(id), body, origin).await?,
    ))
}

/// Registers for a pathway as a whole.
#[utoipa::path(
    post,
    path = "/api/v1/programmes/{id}/registrations",
    tag = "registrations",
    security(()),
    params(("id" = Uuid, Path, description = "Programme id")),
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Confirmed or waitlisted", body = RegistrationView),
        (status = 200, description = "Already registered: the registration as it is", body = RegistrationView),
        (status = 404, body = Problem),
        (status = 422, description = "Bad fields, not a pathway, registrations closed, or full without a waitlist", body = Problem),
        (status = 429, description = "Too many requests from this address, or too many confirmations to this email (the problem names the field); see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn register_for_programme(
    State(state): State<AppState>,
    _limit: PublicLimit,
    ClientAddress(client): ClientAddress,
    Path(id): Path<Uuid>,
    Json(body): Json<NewRegistration>,
) -> Result<(StatusCode, axum::Json<RegistrationView>), ApiError> {
    let origin = Origin {
        client: client.as_deref(),
        challenge: None,
    };
    Ok(answer(
        ops::register(&state, Target::Programme(id), body, origin).await?,
    ))
}

/// The registrations of an event (or of the pathway it belongs to): administrators and the
/// organising operator.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/registrations",
    tag = "registrations",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = Vec<RegistrationView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_for_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<RegistrationView>>, ApiError> {
    Ok(axum::Json(ops::list_for_event(&state, &caller, id).await?))
}

/// The registrations of a pathway: administrators.
#[utoipa::path(
    get,
    path = "/api/v1/programmes/{id}/registrations",
    tag = "registrations",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, body = Vec<RegistrationView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_for_programme(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<RegistrationView>>, ApiError> {
    Ok(axum::Json(
        ops::list_for_programme(&state, &caller, id).await?,
    ))
}

/// Cancels a registration: the person with the signed `token` from their link, or an
/// administrator. The first person in the waitlist takes the freed place.
#[utoipa::path(
    post,
    path = "/api/v1/registrations/{id}/cancel",
    tag = "registrations",
    security(("link" = []), ("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Registration id"), CancelLink),
    responses(
        (status = 200, body = RegistrationView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    _limit: PublicLimit,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
    Query(link): Query<CancelLink>,
) -> Result<axum::Json<RegistrationView>, ApiError> {
    Ok(axum::Json(
        ops::cancel(&state, caller.as_ref(), id, link).await?,
    ))
}
