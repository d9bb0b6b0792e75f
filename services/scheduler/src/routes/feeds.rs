//! External calendars a season imports: administrators subscribe a season to an ICS feed (a
//! theatre's, a museum's, a library's), and it is fetched at once, then on `import_cron`, or on
//! demand. A feed that fails shows on the feed and on its season, and changes nothing.

use crate::ops::input;
use crate::{
    db::{feeds, seasons},
    error::SchedulerError,
    import::{
        self, Refresh, Report,
        fetch::{AllowedHosts, check_literal},
    },
    schedule::announce::categories_of,
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::Category,
    http::{ApiError, Json, Path, Problem, Violations},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {
    /// `http://` or `https://` address of an iCalendar file. Its host (and that of every
    /// redirect) must be a public address, unless `scheduler.import_allowed_hosts` names it.
    pub url: String,
    /// Who publishes it; shown as the organiser of its events.
    pub name: String,
    /// Given to its events whose own CATEGORIES name none of ours. Default `other`.
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub age_min: Option<i64>,
    #[serde(default)]
    pub age_max: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedView {
    pub id: Uuid,
    pub season_id: Uuid,
    pub url: String,
    pub name: String,
    pub categories: Vec<Category>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub last_fetched_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last fetch changed nothing.
    pub last_error: Option<String>,
    /// Failed fetches in a row.
    pub failures: u32,
    pub created_at: DateTime<Utc>,
}

fn view(m: feeds::Model) -> FeedView {
    FeedView {
        id: m.id,
        season_id: m.season_id,
        categories: categories_of(&m.categories),
        age_min: m.age_min.and_then(|a| u8::try_from(a).ok()),
        age_max: m.age_max.and_then(|a| u8::try_from(a).ok()),
        failures: u32::try_from(m.failures).unwrap_or(0),
        url: m.url,
        name: m.name,
        last_fetched_at: m.last_fetched_at,
        last_success_at: m.last_success_at,
        last_error: m.last_error,
        created_at: m.created_at,
    }
}

/// How a fetch went.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NotModified,
    Applied,
    Failed,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefreshView {
    pub feed: FeedView,
    pub outcome: Outcome,
    /// What changed, when applied.
    pub report: Option<Report>,
    /// Why nothing changed, when failed.
    pub error: Option<String>,
}

/// An http(s) URL whose host, when it is an IP address, is a public one (or allowed); a name is
/// resolved and checked each time the feed is fetched.
fn check_url(v: &mut Violations, allowed: &AllowedHosts, url: &str) -> String {
    let url = url.trim();
    match url::Url::parse(url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some() =>
        {
            if let Err(refused) = check_literal(allowed, &parsed) {
                v.add("url", refused.to_string());
            }
        }
        Ok(_) => v.add("url", "must be an http:// or https:// address"),
        Err(_) => v.add("url", "not a URL"),
    }
    v.check(url.len() <= 2000, "url", "must be at most 2000 characters");
    url.to_string()
}

async fn refresh_now(state: &AppState, id: Uuid) -> Result<RefreshView, ApiError> {
    let fetcher = import::fetcher(state)?;
    let result = import::refresh(state, &fetcher, id, piazza_shared::clock::now()).await?;
    let feed = find(state, id).await?;
    let (outcome, report, error) = match result {
        Refresh::NotModified => (Outcome::NotModified, None, None),
        Refresh::Applied(report) => (Outcome::Applied, Some(report), None),
        Refresh::Failed(error) => (Outcome::Failed, None, Some(error)),
    };
    Ok(RefreshView {
        feed: view(feed),
        outcome,
        report,
        error,
    })
}

async fn find(state: &AppState, id: Uuid) -> Result<feeds::Model, ApiError> {
    feeds::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("feed"))
}

/// Subscribes a season to an external calendar and imports it at once.
#[utoipa::path(
    post,
    path = "/api/v1/seasons/{id}/feeds",
    tag = "feeds",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    request_body = NewFeed,
    responses(
        (status = 201, description = "Subscribed; the first import's outcome", body = RefreshView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The season already imports this address", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(season_id): Path<Uuid>,
    Json(body): Json<NewFeed>,
) -> Result<(StatusCode, axum::Json<RefreshView>), ApiError> {
    caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    let allowed = AllowedHosts::new(&state.settings.scheduler.import_allowed_hosts);
    let url = check_url(&mut v, &allowed, &body.url);
    let name = crate::domain::check_text(&mut v, "name", &body.name, crate::domain::TextRule::NAME);
    input::check_ages(&mut v, body.age_min, body.age_max);
    input::season(state.db.conn(), &mut v, Some(season_id)).await?;
    v.finish()?;
    let duplicate = feeds::Entity::find()
        .filter(feeds::Column::SeasonId.eq(season_id))
        .filter(feeds::Column::Url.eq(url.clone()))
        .one(state.db.conn())
        .await?;
    if let Some(existing) = duplicate {
        return Err(SchedulerError::FeedExists(existing.id).into());
    }
    let mut categories = body.categories.clone();
    categories.sort();
    categories.dedup();
    let model = feeds::Model {
        id: Uuid::now_v7(),
        season_id,
        url,
        name,
        categories: serde_json::to_value(categories).unwrap_or_default(),
        age_min: body.age_min.and_then(|a| i32::try_from(a).ok()),
        age_max: body.age_max.and_then(|a| i32::try_from(a).ok()),
        etag: None,
        last_modified: None,
        last_fetched_at: None,
        last_success_at: None,
        last_error: None,
        failures: 0,
        created_at: piazza_shared::clock::now(),
    };
    feeds::Entity::insert(feeds::ActiveModel::from(model.clone()))
        .exec_without_returning(state.db.conn())
        .await?;
    tracing::info!(feed_id = %model.id, %season_id, actor = %caller.0.sub, "feed subscribed");
    Ok((
        StatusCode::CREATED,
        axum::Json(refresh_now(&state, model.id).await?),
    ))
}

/// The feeds a season imports.
#[utoipa::path(
    get,
    path = "/api/v1/seasons/{id}/feeds",
    tag = "feeds",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Season id")),
    responses(
        (status = 200, body = Vec<FeedView>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(season_id): Path<Uuid>,
) -> Result<axum::Json<Vec<FeedView>>, ApiError> {
    caller.require(&[Role::Admin])?;
    seasons::Entity::find_by_id(season_id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("season"))?;
    let rows = feeds::Entity::find()
        .filter(feeds::Column::SeasonId.eq(season_id))
        .order_by_asc(feeds::Column::CreatedAt)
        .all(state.db.conn())
        .await?;
    Ok(axum::Json(rows.into_iter().map(view).collect()))
}

/// Fetches a feed now.
#[utoipa::path(
    post,
    path = "/api/v1/feeds/{id}/refresh",
    tag = "feeds",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Feed id")),
    responses(
        (status = 200, body = RefreshView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<RefreshView>, ApiError> {
    caller.require(&[Role::Admin])?;
    find(&state, id).await?;
    Ok(axum::Json(refresh_now(&state, id).await?))
}

/// Unsubscribes a season from a feed; the events it brought are cancelled.
#[utoipa::path(
    delete,
    path = "/api/v1/feeds/{id}",
    tag = "feeds",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Feed id")),
    responses(
        (status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Admin])?;
    let feed = find(&state, id).await?;
    let season = seasons::Entity::find_by_id(feed.season_id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("season"))?;
    let txn = state.begin().await?;
    import::sync::apply(
        &state,
        &*txn,
        &feed,
        &season,
        Vec::new(),
        Vec::new(),
        piazza_shared::clock::now(),
    )
    .await?;
    feeds::Entity::delete_by_id(id).exec(&*txn).await?;
    txn.commit().await?;
    tracing::info!(feed_id = %id, actor = %caller.0.sub, "feed removed");
    Ok(StatusCode::NO_CONTENT)
}
