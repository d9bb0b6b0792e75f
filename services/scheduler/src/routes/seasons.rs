//! `/api/v1/seasons`: the periods administrators plan events in. A season is planned, then
//! published, then archived (an archived season takes no new events, calls or feeds).

use super::views::{FeedProblem, SeasonView};
use crate::{
    db::{events, feeds, seasons},
    domain::{SeasonStatus, TextRule, check_text},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use chrono::NaiveDate;
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    http::{ApiError, Json, Path, Problem, Violations},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeason {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: String,
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("`{value}` is not a date YYYY-MM-DD"))
}

fn check_range(v: &mut Violations, starts_on: Option<NaiveDate>, ends_on: Option<NaiveDate>) {
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        v.check(e >= s, "ends_on", "must not be before starts_on");
        v.check(
            (e - s).num_days() <= 731,
            "ends_on",
            "a season lasts at most two years",
        );
    }
}

/// A season with the problems of its imported calendars: for administrators only.
pub async fn season_view(
    conn: &impl ConnectionTrait,
    season: seasons::Model,
) -> Result<SeasonView, ApiError> {
    let problems = feeds::Entity::find()
        .filter(feeds::Column::SeasonId.eq(season.id))
        .filter(feeds::Column::LastError.is_not_null())
        .all(conn)
        .await?;
    let mut view = SeasonView::from(season);
    view.feed_problems = problems
        .into_iter()
        .map(|f| FeedProblem {
            feed_id: f.id,
            url: f.url,
            error: f.last_error.unwrap_or_default(),
            since: f.last_fetched_at,
            failures: u32::try_from(f.failures).unwrap_or(0),
        })
        .collect();
    Ok(view)
}

/// Opens a season for planning.
#[utoipa::path(
    post,
    path = "/api/v1/seasons",
    tag = "seasons",
    security(("bearer" = ["admin"])),
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
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let starts_on = v.take("starts_on", date(&body.starts_on));
    let ends_on = v.take("ends_on", date(&body.ends_on));
    check_range(&mut v, starts_on, ends_on);
    v.finish()?;
    let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
        return Err(ApiError::field("starts_on", "is required"));
    };
    let now = piazza_shared::clock::now();
    let model = seasons::Model {
        id: Uuid::now_v7(),
        name,
        description,
        starts_on,
        ends_on,
        status: SeasonStatus::Planning.as_str().into(),
        created_at: now,
        updated_at: Some(now),
    };
    let txn = state.db.begin().await?;
    seasons::Entity::insert(seasons::ActiveModel::from(model.clone()))
        .exec_without_returning(&*txn)
        .await?;
    let view = SeasonView::from(model.clone());
    audit::record(
        &*txn,
        &caller.0,
        "season.create",
        model.id,
        None,
        audit::json(&view),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(season_id = %model.id, actor = %caller.0.sub, "season created");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Every season, latest first.
#[utoipa::path(
    get,
    path = "/api/v1/seasons",
    tag = "seasons",
    security(()),
    responses((status = 200, body = Vec<SeasonView>))
)]
pub async fn list(State(state): State<AppState>) -> Result<axum::Json<Vec<SeasonView>>, ApiError> {
    let rows = seasons::Entity::find()
        .order_by_desc(seasons::Column::StartsOn)
        .all(state.db.conn())
        .await?;
    Ok(axum::Json(rows.into_iter().map(SeasonView::from).collect()))
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<seasons::Model, ApiError> {
    seasons::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("season"))
}

/// One season; an administrator also sees the problems of its imported calendars (their
/// addresses often hold a secret, and their errors describe the network the scheduler sees).
#[utoipa::path(
    get,
    path = "/api/v1/seasons/{id}",
    tag = "seasons",
    security(()),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, description = "The season; `feed_problems` only for an administrator's token", body = SeasonView),
        (status = 401, description = "A token was sent and is not valid", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    let conn = state.db.conn();
    let season = find(conn, id).await?;
    if caller.is_some_and(|c| c.is_admin()) {
        Ok(axum::Json(season_view(conn, season).await?))
    } else {
        Ok(axum::Json(SeasonView::from(season)))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeasonPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// Renames or re-dates a season; its events must still fit in it.
#[utoipa::path(
    patch,
    path = "/api/v1/seasons/{id}",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    request_body = SeasonPatch,
    responses(
        (status = 200, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Archived", body = Problem),
        (status = 422, description = "Bad fields, or events would fall outside", body = Problem),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<SeasonPatch>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let mut season = find(&*txn, id).await?;
    if season.status == SeasonStatus::Archived.as_str() {
        return Err(ApiError::conflict("the season is archived", vec![]));
    }
    let before = audit::json(&SeasonView::from(season.clone()));
    let mut v = Violations::new();
    if let Some(name) = &body.name {
        season.name = check_text(&mut v, "name", name, TextRule::NAME);
    }
    if let Some(text) = &body.description {
        season.description = check_text(&mut v, "description", text, TextRule::LONG);
    }
    let starts_on = match &body.starts_on {
        Some(text) => v.take("starts_on", date(text)),
        None => Some(season.starts_on),
    };
    let ends_on = match &body.ends_on {
        Some(text) => v.take("ends_on", date(text)),
        None => Some(season.ends_on),
    };
    check_range(&mut v, starts_on, ends_on);
    std::mem::take(&mut v).finish()?;
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        let outside = events::Entity::find()
            .filter(events::Column::SeasonId.eq(id))
            .all(&*txn)
            .await?
            .into_iter()
            .filter(|ev| {
                let zone = ev.time_zone.parse().unwrap_or(state.settings.time_zone);
                let day = ev.starts_at.with_timezone(&zone).date_naive();
                day < s || day > e
            })
            .count();
        v.check(
            outside == 0,
            "starts_on",
            format!("{outside} event(s) of the season would fall outside it"),
        );
        v.finish()?;
        season.starts_on = s;
        season.ends_on = e;
    }
    season.updated_at = Some(piazza_shared::clock::now());
    save(&*txn, &season).await?;
    let after = audit::json(&SeasonView::from(season.clone()));
    audit::record(&*txn, &caller.0, "season.update", id, before, after).await?;
    txn.commit().await?;
    Ok(axum::Json(season_view(state.db.conn(), season).await?))
}

async fn save(conn: &impl ConnectionTrait, season: &seasons::Model) -> Result<(), ApiError> {
    use sea_orm::ActiveModelTrait;
    seasons::ActiveModel::from(season.clone())
        .reset_all()
        .update(conn)
        .await?;
    Ok(())
}

/// Moves a season along planning → published → archived.
async fn transition(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    from: SeasonStatus,
    to: SeasonStatus,
) -> Result<axum::Json<SeasonView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let mut season = find(&*txn, id).await?;
    if season.status != from.as_str() {
        return Err(ApiError::conflict(
            format!(
                "the season is {}; only a {} season can become {}",
                season.status,
                from.as_str(),
                to.as_str()
            ),
            vec![],
        ));
    }
    season.status = to.as_str().into();
    season.updated_at = Some(piazza_shared::clock::now());
    save(&*txn, &season).await?;
    let action = format!(
        "season.{}",
        if to == SeasonStatus::Published {
            "publish"
        } else {
            "archive"
        }
    );
    let (before, after) = (
        json!({ "status": from.as_str() }),
        json!({ "status": to.as_str() }),
    );
    audit::record(&*txn, &caller.0, &action, id, Some(before), Some(after)).await?;
    txn.commit().await?;
    tracing::info!(season_id = %id, status = to.as_str(), actor = %caller.0.sub, "season moved on");
    Ok(axum::Json(season_view(state.db.conn(), season).await?))
}

/// Publishes a season that was being planned.
#[utoipa::path(
    post,
    path = "/api/v1/seasons/{id}/publish",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Not in planning", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    transition(
        &state,
        &caller,
        id,
        SeasonStatus::Planning,
        SeasonStatus::Published,
    )
    .await
}

/// Archives a published season; it keeps its events but takes nothing new.
#[utoipa::path(
    post,
    path = "/api/v1/seasons/{id}/archive",
    tag = "seasons",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, body = SeasonView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Not published", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SeasonView>, ApiError> {
    transition(
        &state,
        &caller,
        id,
        SeasonStatus::Published,
        SeasonStatus::Archived,
    )
    .await
}
