//! `/api/v1/spaces/{id}/calendar.ics`: a space's held slots as iCalendar (RFC 5545), for anyone
//! to subscribe to, over [`crate::ops::calendar`].

use crate::{
    ops::calendar::{self, FeedRange},
    state::AppState,
};
use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use piazza_shared::http::{ApiError, Path, Problem, Query};
use uuid::Uuid;

/// The held slots of a space (its own bookings and those of spaces around it that take it too),
/// requested ones as TENTATIVE, approved ones as CONFIRMED.
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}/calendar.ics",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id"), FeedRange),
    responses(
        (status = 200, description = "RFC 5545 calendar", content_type = "text/calendar"),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn space_calendar(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(range): Query<FeedRange>,
) -> Result<Response, ApiError> {
    let text = calendar::space_calendar(&state, id, range).await?;
    let mut response = (StatusCode::OK, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}
