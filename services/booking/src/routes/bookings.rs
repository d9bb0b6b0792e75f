//! `/api/v1/bookings`: operators request slots (single or recurring), administrators approve or
//! reject, owners and administrators cancel, over [`crate::ops::bookings`].

use crate::{
    ops::bookings::{self, BookingFilter, CancelBody, CreatedBooking, NewBooking, RejectBody},
    state::AppState,
    views::BookingView,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, Query, page},
};
use uuid::Uuid;

/// Requests a space, once or as a recurring series.
#[utoipa::path(
    post,
    path = "/api/v1/bookings",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    request_body = NewBooking,
    responses(
        (status = 201, description = "Requested; the slot is held", body = CreatedBooking),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, description = "Unknown space", body = Problem),
        (status = 409, description = "Occurrences in conflict, each listed (`booking_overlap`, `space_closed`, `outside_opening_hours`), or the quota passed (`quota_exceeded`)", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewBooking>,
) -> Result<(StatusCode, axum::Json<CreatedBooking>), ApiError> {
    let created = bookings::request(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// Lists bookings by start time; operators see their organisation's only.
#[utoipa::path(
    get,
    path = "/api/v1/bookings",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    params(BookingFilter),
    responses(
        (status = 200, body = piazza_shared::http::Page<BookingView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<BookingFilter>,
) -> Result<axum::Json<page::Page<BookingView>>, ApiError> {
    Ok(axum::Json(bookings::list(&state, &caller, filter).await?))
}

/// One booking.
#[utoipa::path(
    get,
    path = "/api/v1/bookings/{id}",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BookingView>, ApiError> {
    Ok(axum::Json(bookings::get(&state, &caller, id).await?))
}

/// Approves a requested booking (every requested occurrence of its series).
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/approve",
    tag = "bookings",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Not requested any more (`not_requested`)", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BookingView>, ApiError> {
    Ok(axum::Json(bookings::approve(&state, &caller, id).await?))
}

/// Rejects a requested booking (every requested occurrence of its series), freeing its slots.
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/reject",
    tag = "bookings",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Booking id")),
    request_body = RejectBody,
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<RejectBody>,
) -> Result<axum::Json<BookingView>, ApiError> {
    Ok(axum::Json(
        bookings::reject(&state, &caller, id, body).await?,
    ))
}

/// Cancels a requested or approved booking (owner or admin), freeing its slots; refused while an
/// event of the organisation takes place in it.
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/cancel",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Booking id")),
    request_body(content = CancelBody, description = "Optional: a reason and the scope"),
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already final (`booking_final`), changed at the same moment (`booking_changed`), or an event of the organisation takes place in it (`booking_in_use`, each event listed)", body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Option<Json<CancelBody>>,
) -> Result<axum::Json<BookingView>, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    Ok(axum::Json(
        bookings::cancel(&state, &caller, id, body).await?,
    ))
}
