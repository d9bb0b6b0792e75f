//! `/api/v1/seasons`: the periods administrators plan events in.

use super::views::SeasonView;
use crate::{db::seasons, state::AppState};
use axum::{extract::State, http::StatusCode};
use chrono::{NaiveDate, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, Json, Path, Problem, Violations},
};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeason {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: String,
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("`{value}` is not a date YYYY-MM-DD"))
}

/// Opens a season for planning.
#[utoipa::path(
    post,
    path = "/api/v1/seasons",
    tag = "seasons",
    security(("bearer" = [])),
    request_body = NewSeason,
    responses(
        (status = 201, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewSeason>,
) -> Result<(StatusCode, axum::Json<SeasonView>), ApiError> {
    caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    v.check(!body.name.trim().is_empty(), "name", "must not be empty");
    v.check(
        body.name.chars().count() <= 200,
        "name",
        "must be at most 200 characters",
    );
    let starts_on = v.take("starts_on", date(&body.starts_on));
    let ends_on = v.take("ends_on", date(&body.ends_on));
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        v.check(e >= s, "ends_on", "must not be before starts_on");
        v.check(
            (e - s).num_days() <= 731,
            "ends_on",
            "a season lasts at most two years",
        );
    }
    v.finish()?;
    let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
        return Err(ApiError::field("starts_on", "is required"));
    };
    let model = seasons::Model {
        id: Uuid::now_v7(),
        name: body.name.trim().to_string(),
        starts_on,
        ends_on,
        status: "planning".into(),
        created_at: Utc::now(),
    };
    seasons::Entity::insert(seasons::ActiveModel::from(model.clone()))
        .exec_without_returning(state.db.conn())
        .await?;
    tracing::info!(season_id = %model.id, actor = %caller.0.sub, "season created");
    Ok((StatusCode::CREATED, axum::Json(model.into())))
}

/// Every season, latest first.
#[utoipa::path(
    get,
    path = "/api/v1/seasons",
    tag = "seasons",
    responses((status = 200, body = Vec<SeasonView>))
)]
pub async fn list(State(state): State<AppState>) -> Result<axum::Json<Vec<SeasonView>>, ApiError> {
    let rows = seasons::Entity::find()
        .order_by_desc(seasons::Column::StartsOn)
        .all(state.db.conn())
        .await?;
    Ok(axum::Json(rows.into_iter().map(SeasonView::from).collect()))
}

/// One season.
#[utoipa::path(
    get,
    path = "/api/v1/seasons/{id}",
    tag = "seasons",
    params(("id" = Uuid, Path, description = "Season id")),
    responses((status = 200, body = SeasonView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    seasons::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .map(|s| axum::Json(s.into()))
        .ok_or(ApiError::NotFound("season"))
}
