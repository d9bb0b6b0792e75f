//! `GET /api/v1/events` over [`crate::ops::listing`]: the public calendar as JSON.

pub use crate::ops::listing::*;
use crate::{state::AppState, views::OccurrenceItem};
use axum::extract::State;
use piazza_shared::http::{ApiError, Problem, Query, page};

/// The public calendar: occurrences of published events, in time order. Occurrences called off
/// stay listed with `status: cancelled`.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    security(()),
    params(CalendarFilter),
    responses((status = 200, body = piazza_shared::http::Page<OccurrenceItem>), (status = 422, body = Problem))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<CalendarFilter>,
) -> Result<axum::Json<page::Page<OccurrenceItem>>, ApiError> {
    Ok(axum::Json(crate::ops::listing::list(&state, filter).await?))
}
