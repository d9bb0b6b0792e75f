//! `/api/v1/spaces/{id}/closures` and `/exceptions`: when a space is shut (once or on a recurring
//! rule, with a reason) and dates with their own opening hours, over [`crate::ops::closures`]
//! and [`crate::ops::hours`].

use crate::{
    ops::{
        closures::{self, ClosureView, NewClosure},
        hours::{self, ExceptionList, ExceptionView, NewException},
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Closes a space for a while (works, a holiday), once or on a recurring rule. Refused while live
/// bookings hold any of that time.
#[utoipa::path(
    post,
    path = "/api/v1/spaces/{id}/closures",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    request_body = NewClosure,
    responses(
        (status = 201, body = ClosureView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Bookings in the way (`bookings_in_the_way`)", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn add_closure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewClosure>,
) -> Result<(StatusCode, axum::Json<ClosureView>), ApiError> {
    let closure = closures::add(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(closure)))
}

/// Gives a date its own opening hours (replacing any it had): closed all day with none, or
/// other windows than the weekly ones. Bookings already made are not moved.
#[utoipa::path(
    post,
    path = "/api/v1/spaces/{id}/exceptions",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    request_body = NewException,
    responses(
        (status = 201, body = ExceptionView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn add_exception(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewException>,
) -> Result<(StatusCode, axum::Json<ExceptionView>), ApiError> {
    let exception = hours::set_exception(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(exception)))
}

/// The dates of a space with their own opening hours, by date.
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}/exceptions",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id")),
    responses((status = 200, body = ExceptionList), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn list_exceptions(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ExceptionList>, ApiError> {
    Ok(axum::Json(hours::list_exceptions(&state, id).await?))
}
