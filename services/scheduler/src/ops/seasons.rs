//! Seasons: the periods administrators plan events in. A season is planned, then
//! published, then archived (an archived season takes no new events, calls or feeds). Each
//! change is said as `piazza.season.changed`, in the same transaction, for the monitoring.

use crate::{
    db::{events, feeds, seasons},
    domain::{SeasonStatus, TextRule, check_text},
    error::SchedulerError,
    state::AppState,
    views::{FeedProblem, SeasonView},
};
use chrono::NaiveDate;
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::season::SeasonChanged,
    http::{ApiError, Violations},
    unit::Unit,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSeason {
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub name: String,
    #[serde(default)]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub starts_on: String,
    #[schema(format = Date)]
    pub ends_on: String,
}

fn date(value: &str) -> Result<NaiveDate, String> {
    piazza_shared::time::parse_date(value)
        .ok_or_else(|| format!("`{value}` is not a date YYYY-MM-DD"))
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

/// `piazza.season.changed` for `season` as it stands: what the monitoring reports seasons by.
pub fn changed(season: &seasons::Model) -> SeasonChanged {
    SeasonChanged {
        version: 1,
        season_id: season.id,
        name: season.name.clone(),
        starts_on: season.starts_on,
        ends_on: season.ends_on,
        status: season.status.clone(),
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
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewSeason,
) -> Result<SeasonView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let starts_on = v.take("starts_on", date(&body.starts_on));
    let ends_on = v.take("ends_on", date(&body.ends_on));
    check_range(&mut v, starts_on, ends_on);
    v.finish()?;
    let (Some(starts_on), Some(ends_on)) = (starts_on, ends_on) else {
        return Err(ApiError::field("starts_on", "is required").into());
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
    let unit = state.begin().await?;
    seasons::Entity::insert(seasons::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    unit.publish(&changed(&model), None).await?;
    let view = SeasonView::from(model.clone());
    unit.audit(claims, "season.create", model.id, None, audit::json(&view))
        .await?;
    unit.commit().await?;
    tracing::info!(season_id = %model.id, actor = %claims.sub, "season created");
    Ok(view)
}

/// Every season, latest first.
pub async fn list(state: &AppState) -> Result<Vec<SeasonView>, SchedulerError> {
    let rows = seasons::Entity::find()
        .order_by_desc(seasons::Column::StartsOn)
        .all(state.db.conn())
        .await?;
    Ok(rows.into_iter().map(SeasonView::from).collect())
}

pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<seasons::Model, ApiError> {
    seasons::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("season"))
}

/// One season; an administrator also sees the problems of its imported calendars (their
/// addresses often hold a secret, and their errors describe the network the scheduler sees).
pub async fn get(
    state: &AppState,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<SeasonView, SchedulerError> {
    let conn = state.db.conn();
    let season = find(conn, id).await?;
    if caller.is_some_and(|c| c.is_admin()) {
        Ok(season_view(conn, season).await?)
    } else {
        Ok(SeasonView::from(season))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeasonPatch {
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub name: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description: Option<String>,
    #[schema(format = Date)]
    pub starts_on: Option<String>,
    #[schema(format = Date)]
    pub ends_on: Option<String>,
}

/// Renames or re-dates a season; its events must still fit in it.
pub async fn patch(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: SeasonPatch,
) -> Result<SeasonView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut season = find(&*unit, id).await?;
    if season.status == SeasonStatus::Archived.as_str() {
        return Err(SchedulerError::SeasonArchived);
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
            .all(&*unit)
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
    save(&unit, &season).await?;
    let after = audit::json(&SeasonView::from(season.clone()));
    unit.audit(claims, "season.update", id, before, after)
        .await?;
    unit.commit().await?;
    Ok(season_view(state.db.conn(), season).await?)
}

/// Writes `season` and says so (`season.changed`), in `unit`.
async fn save(unit: &Unit, season: &seasons::Model) -> Result<(), ApiError> {
    use sea_orm::ActiveModelTrait;
    seasons::ActiveModel::from(season.clone())
        .reset_all()
        .update(&**unit)
        .await?;
    unit.publish(&changed(season), None).await?;
    Ok(())
}

/// Moves a season along planning → published → archived.
async fn transition(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    from: SeasonStatus,
    to: SeasonStatus,
) -> Result<SeasonView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut season = find(&*unit, id).await?;
    if season.status != from.as_str() {
        let is = SeasonStatus::parse(&season.status).unwrap_or(from);
        return Err(SchedulerError::SeasonNotIn { is, from, to });
    }
    season.status = to.as_str().into();
    season.updated_at = Some(piazza_shared::clock::now());
    save(&unit, &season).await?;
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
    unit.audit(claims, &action, id, Some(before), Some(after))
        .await?;
    unit.commit().await?;
    tracing::info!(season_id = %id, status = to.as_str(), actor = %claims.sub, "season moved on");
    Ok(season_view(state.db.conn(), season).await?)
}

/// Publishes a season that was being planned.
pub async fn publish(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<SeasonView, SchedulerError> {
    transition(
        state,
        caller,
        id,
        SeasonStatus::Planning,
        SeasonStatus::Published,
    )
    .await
}

/// Archives a published season; it keeps its events but takes nothing new.
pub async fn archive(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<SeasonView, SchedulerError> {
    transition(
        state,
        caller,
        id,
        SeasonStatus::Published,
        SeasonStatus::Archived,
    )
    .await
}
