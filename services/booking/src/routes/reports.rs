//! `/api/v1/reports/utilization`: how much of the time spaces were open was booked, per space
//! and per building, over [`crate::ops::reports`].

use crate::{
    ops::{
        reports::{self, Utilization},
        spaces::RangeQuery,
    },
    state::AppState,
};
use axum::extract::State;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Problem, Query},
};

/// Open and booked hours of every space that is not retired, and their sums per building.
#[utoipa::path(
    get,
    path = "/api/v1/reports/utilization",
    tag = "reports",
    security(("bearer" = ["admin", "evaluator"])),
    params(RangeQuery),
    responses(
        (status = 200, body = Utilization), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn utilization(
    State(state): State<AppState>,
    caller: Caller,
    Query(range): Query<RangeQuery>,
) -> Result<axum::Json<Utilization>, ApiError> {
    Ok(axum::Json(
        reports::utilization(&state, &caller, range).await?,
    ))
}
