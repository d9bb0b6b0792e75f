//! `/api/v1/signoff-rules` (administrators: which bookings wait for which sectors),
//! `/api/v1/signoffs?sector=` (a sector's queue, for its members) and
//! `/api/v1/bookings/{id}/signoffs[/{sector}/approve|reject]`, over [`crate::ops::signoffs`]
//! and [`crate::ops::bookings::signoff`].

use crate::{
    ops::{
        bookings::signoff::{self, Decision, SignedBooking, SignoffBody},
        signoffs::{self, NewRule, QueueFilter, QueueItem, RuleView},
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, Query},
};
use uuid::Uuid;

/// Every sign-off rule, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/signoff-rules",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, body = Vec<RuleView>), (status = 401, body = Problem), (status = 403, body = Problem),
    )
)]
pub async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<RuleView>>, ApiError> {
    Ok(axum::Json(signoffs::rules(&state, &caller).await?))
}

/// Writes a sign-off rule: bookings matching its space kind, attendees threshold and space (each
/// one given) wait for the sign-off of each of its sectors.
#[utoipa::path(
    post,
    path = "/api/v1/signoff-rules",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    request_body = NewRule,
    responses(
        (status = 201, body = RuleView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, description = "No criterion (`space_kind`), no or unknown sectors (`sectors`), a bad threshold (`min_attendees`), an unknown space (`space_id`)", body = Problem),
    )
)]
pub async fn create_rule(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewRule>,
) -> Result<(StatusCode, axum::Json<RuleView>), ApiError> {
    let created = signoffs::add_rule(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Rewrites a sign-off rule whole; requests already waiting keep their sign-offs.
#[utoipa::path(
    put,
    path = "/api/v1/signoff-rules/{id}",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Rule id")),
    request_body = NewRule,
    responses(
        (status = 200, body = RuleView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn update_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewRule>,
) -> Result<axum::Json<RuleView>, ApiError> {
    Ok(axum::Json(
        signoffs::update_rule(&state, &caller, id, body).await?,
    ))
}

/// Deletes a sign-off rule; requests already waiting keep their sign-offs.
#[utoipa::path(
    delete,
    path = "/api/v1/signoff-rules/{id}",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Rule id")),
    responses(
        (status = 204, description = "Deleted"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    signoffs::delete_rule(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A sector's queue: the requests waiting for its sign-off (or, by `status`, those it
/// approved or rejected), oldest first. Members of the sector only.
#[utoipa::path(
    get,
    path = "/api/v1/signoffs",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    params(QueueFilter),
    responses(
        (status = 200, body = Vec<QueueItem>), (status = 401, body = Problem),
        (status = 403, description = "Not a member of the sector", body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<QueueFilter>,
) -> Result<axum::Json<Vec<QueueItem>>, ApiError> {
    Ok(axum::Json(signoffs::queue(&state, &caller, filter).await?))
}

/// A booking's sign-offs, one per sector it waits for (none when no rule matched it).
#[utoipa::path(
    get,
    path = "/api/v1/bookings/{id}/signoffs",
    tag = "signoffs",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, body = SignedBooking), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn of_booking(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SignedBooking>, ApiError> {
    Ok(axum::Json(signoff::of_booking(&state, &caller, id).await?))
}

/// The sector approves the booking; the booking is approved (`booking.approved`) when every
/// sector it waits for has. Members of the sector only (an administrator outside it: 403).
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/signoffs/{sector}/approve",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Booking id"), ("sector" = String, Path, description = "Sector code")),
    request_body(content = SignoffBody, description = "Optional: a note"),
    responses(
        (status = 200, body = SignedBooking), (status = 401, body = Problem),
        (status = 403, description = "Not a member of the sector", body = Problem),
        (status = 404, description = "No such booking, or it does not wait for this sector", body = Problem),
        (status = 409, description = "Not requested any more (`not_requested`), or already decided (`signoff_decided`)", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sector)): Path<(Uuid, String)>,
    body: Option<Json<SignoffBody>>,
) -> Result<axum::Json<SignedBooking>, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    Ok(axum::Json(
        signoff::decide(&state, &caller, id, &sector, Decision::Approve, body).await?,
    ))
}

/// The sector rejects the booking, with a reason: the booking is rejected (`booking.rejected`)
/// and its slot freed. Members of the sector only.
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/signoffs/{sector}/reject",
    tag = "signoffs",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Booking id"), ("sector" = String, Path, description = "Sector code")),
    request_body = SignoffBody,
    responses(
        (status = 200, body = SignedBooking), (status = 401, body = Problem),
        (status = 403, description = "Not a member of the sector", body = Problem),
        (status = 404, description = "No such booking, or it does not wait for this sector", body = Problem),
        (status = 409, description = "Not requested any more (`not_requested`), or already decided (`signoff_decided`)", body = Problem),
        (status = 422, description = "No reason (`reason`)", body = Problem),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sector)): Path<(Uuid, String)>,
    Json(body): Json<SignoffBody>,
) -> Result<axum::Json<SignedBooking>, ApiError> {
    Ok(axum::Json(
        signoff::decide(&state, &caller, id, &sector, Decision::Reject, body).await?,
    ))
}
