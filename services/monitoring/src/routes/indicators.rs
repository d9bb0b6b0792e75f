//! `/api/v1/indicators`: the indicator framework (administrators change it; administrators and
//! evaluators read it), its values by quarter or season, the funding lines' shares, and the
//! values as CSV, XLSX or JSON downloads — each handler extract → `ops` → answer.

use crate::{
    domain::{
        export,
        indicators::Indicator,
        periods::Period,
        report::{self, IndicatorReport, PeriodFundingShares},
    },
    ops::{
        indicators::{self, IndicatorPatch, NewIndicator},
        values::{self, ValuesQuery},
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode, response::Response};
use chrono::NaiveDate;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem, Query},
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Every indicator of the framework, in order.
#[utoipa::path(
    get,
    path = "/api/v1/indicators",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    responses(
        (status = 200, body = Vec<Indicator>),
        (status = 401, body = Problem), (status = 403, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<Indicator>>, ApiError> {
    Ok(axum::Json(indicators::list(&state, &caller).await?))
}

/// Adds an indicator; its code must be new.
#[utoipa::path(
    post,
    path = "/api/v1/indicators",
    tag = "indicators",
    security(("bearer" = ["admin"])),
    request_body = NewIndicator,
    responses(
        (status = 201, body = Indicator),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewIndicator>,
) -> Result<(StatusCode, axum::Json<Indicator>), ApiError> {
    let created = indicators::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// One indicator.
#[utoipa::path(
    get,
    path = "/api/v1/indicators/{id}",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    params(("id" = Uuid, Path, description = "Indicator id")),
    responses(
        (status = 200, body = Indicator), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Indicator>, ApiError> {
    Ok(axum::Json(indicators::get(&state, &caller, id).await?))
}

/// Changes an indicator: absent fields stay, `null` clears funding line, baseline or target.
#[utoipa::path(
    patch,
    path = "/api/v1/indicators/{id}",
    tag = "indicators",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Indicator id")),
    request_body = IndicatorPatch,
    responses(
        (status = 200, body = Indicator), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(patch): Json<IndicatorPatch>,
) -> Result<axum::Json<Indicator>, ApiError> {
    Ok(axum::Json(
        indicators::update(&state, &caller, id, patch).await?,
    ))
}

/// Removes an indicator from the framework (its facts stay).
#[utoipa::path(
    delete,
    path = "/api/v1/indicators/{id}",
    tag = "indicators",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Indicator id")),
    responses(
        (status = 204, description = "Removed"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    indicators::delete(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every indicator × every period of the range: value (null and shown `<5` for fewer than five
/// people), baseline and target; and the funding lines' shares per period.
#[utoipa::path(
    get,
    path = "/api/v1/indicators/values",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    params(ValuesQuery),
    responses(
        (status = 200, body = IndicatorReport),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn values(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ValuesQuery>,
) -> Result<axum::Json<IndicatorReport>, ApiError> {
    Ok(axum::Json(values::values(&state, &caller, &query).await?))
}

/// The funding lines' shares of a range, period by period.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundingSharesAnswer {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub periods: Vec<Period>,
    pub funding_shares: Vec<PeriodFundingShares>,
}

/// Hours of space use and of events per funding line, period by period, each as a percent of
/// the hours that carry a line, beside the planned share (84/6/10).
#[utoipa::path(
    get,
    path = "/api/v1/indicators/funding-shares",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    params(ValuesQuery),
    responses(
        (status = 200, body = FundingSharesAnswer),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn funding_shares(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ValuesQuery>,
) -> Result<axum::Json<FundingSharesAnswer>, ApiError> {
    let (range, periods, funding_shares) = values::funding_shares(&state, &caller, &query).await?;
    Ok(axum::Json(FundingSharesAnswer {
        from: range.from,
        to: range.to,
        periods,
        funding_shares,
    }))
}

/// `body` as a download named `piazza-indicators-<from>-<to>.<ext>`.
fn download(
    report: &IndicatorReport,
    ext: &str,
    content_type: &'static str,
    body: Vec<u8>,
) -> Response {
    let name = format!("piazza-indicators-{}-{}.{ext}", report.from, report.to);
    piazza_shared::web::csv::attachment(&name, content_type, body)
}

/// The values as CSV (RFC 4180): one long table, see the README's monitoring section.
#[utoipa::path(
    get,
    path = "/api/v1/indicators/export.csv",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    params(ValuesQuery),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn export_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ValuesQuery>,
) -> Result<Response, ApiError> {
    let report = values::values(&state, &caller, &query).await?;
    let csv = export::csv(&report::export_rows(&report));
    Ok(piazza_shared::web::csv::download(
        "piazza-indicators",
        report.from,
        report.to,
        csv,
    ))
}

/// The values as an XLSX workbook: the CSV's table, figures as numbers.
#[utoipa::path(
    get,
    path = "/api/v1/indicators/export.xlsx",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    params(ValuesQuery),
    responses(
        (status = 200, description = "XLSX workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn export_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ValuesQuery>,
) -> Result<Response, ApiError> {
    let report = values::values(&state, &caller, &query).await?;
    let bytes = export::xlsx(&report::export_rows(&report))
        .map_err(|e| ApiError::from(anyhow::anyhow!("writing the workbook: {e}")))?;
    Ok(download(&report, "xlsx", export::XLSX_TYPE, bytes))
}

/// The values as a JSON download (the same document as `/api/v1/indicators/values`).
#[utoipa::path(
    get,
    path = "/api/v1/indicators/export.json",
    tag = "indicators",
    security(("bearer" = ["admin", "evaluator"])),
    params(ValuesQuery),
    responses(
        (status = 200, body = IndicatorReport),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn export_json(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ValuesQuery>,
) -> Result<Response, ApiError> {
    let report = values::values(&state, &caller, &query).await?;
    let body = serde_json::to_vec_pretty(&report)
        .map_err(|e| ApiError::from(anyhow::anyhow!("writing the JSON: {e}")))?;
    Ok(download(&report, "json", "application/json", body))
}
