//! `GET /api/v1/reports/outreach`: the outreach report (`ops::reports`) as JSON.

use crate::{
    error::NotifierError,
    ops::reports::{self, Outreach, Period},
    state::AppState,
};
use axum::extract::State;
use piazza_shared::{
    auth::Caller,
    http::{Problem, Query},
};

/// Outreach in a period, for administrators and evaluators.
#[utoipa::path(
    get,
    path = "/api/v1/reports/outreach",
    tag = "reports",
    security(("bearer" = ["admin", "evaluator"])),
    params(Period),
    responses(
        (status = 200, body = Outreach), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn outreach(
    State(state): State<AppState>,
    caller: Caller,
    Query(period): Query<Period>,
) -> Result<axum::Json<Outreach>, NotifierError> {
    Ok(axum::Json(
        reports::outreach(&state, &caller, period).await?,
    ))
}
