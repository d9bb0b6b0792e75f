//! `/api/v1/programmes`: events grouped in a season under one name — a festival, a weekly
//! workshop, a socio-educational pathway whose sessions people attend as a whole (they register
//! for the pathway, which has its own capacity and waitlist).

use crate::ops::input;
use crate::views::EventView;
use crate::{
    db::{events, programmes},
    domain::{ProgrammeKind, TextRule, check_text},
    error::SchedulerError,
    ops::places,
    schedule::announce,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, Violations},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgramme {
    pub season_id: Uuid,
    pub name: String,
    pub kind: ProgrammeKind,
    #[serde(default)]
    pub description: String,
    /// Places in the whole programme, when it is taken as a whole; none means no limit.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Whether people may queue once it is full. Default true.
    #[serde(default)]
    pub waitlist: Option<bool>,
    /// People register for the programme rather than its events. Default: true for a pathway.
    #[serde(default)]
    pub taken_as_whole: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeView {
    pub id: Uuid,
    pub season_id: Uuid,
    pub name: String,
    pub kind: ProgrammeKind,
    pub description: String,
    pub capacity: Option<u32>,
    pub waitlist: bool,
    pub taken_as_whole: bool,
    /// Its events (the published ones, for the public).
    pub events: Vec<EventView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub places: Option<crate::views::PlacesView>,
    pub created_at: DateTime<Utc>,
}

fn view(m: programmes::Model, events: Vec<EventView>) -> ProgrammeView {
    ProgrammeView {
        id: m.id,
        season_id: m.season_id,
        kind: ProgrammeKind::parse(&m.kind).unwrap_or(ProgrammeKind::Festival),
        capacity: m.capacity.and_then(|c| u32::try_from(c).ok()),
        waitlist: m.waitlist,
        taken_as_whole: m.taken_as_whole,
        name: m.name,
        description: m.description,
        events,
        places: None,
        created_at: m.created_at,
    }
}

/// Creates a programme in a season.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewProgramme,
) -> Result<ProgrammeView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let capacity = input::check_capacity(&mut v, "capacity", body.capacity);
    let taken_as_whole = body
        .taken_as_whole
        .unwrap_or(body.kind == ProgrammeKind::Pathway);
    v.check(
        taken_as_whole || capacity.is_none(),
        "capacity",
        "only a programme taken as a whole has its own capacity; give each event its own",
    );
    input::season(state.db.conn(), &mut v, Some(body.season_id)).await?;
    v.finish()?;
    let now = piazza_shared::clock::now();
    let model = programmes::Model {
        id: Uuid::now_v7(),
        season_id: body.season_id,
        name,
        kind: body.kind.as_str().into(),
        description,
        capacity,
        waitlist: body.waitlist.unwrap_or(true),
        taken_as_whole,
        created_at: now,
        updated_at: now,
    };
    programmes::Entity::insert(programmes::ActiveModel::from(model.clone()))
        .exec_without_returning(state.db.conn())
        .await?;
    tracing::info!(programme_id = %model.id, kind = %model.kind, actor = %caller.0.sub, "programme created");
    Ok(view(model, Vec::new()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeFilter {
    pub season_id: Option<Uuid>,
}

/// The programmes (of a season), without their events.
pub async fn list(
    state: &AppState,
    filter: ProgrammeFilter,
) -> Result<Vec<ProgrammeView>, SchedulerError> {
    let mut query = programmes::Entity::find().order_by_asc(programmes::Column::Name);
    if let Some(season) = filter.season_id {
        query = query.filter(programmes::Column::SeasonId.eq(season));
    }
    let rows = query.all(state.db.conn()).await?;
    Ok(rows.into_iter().map(|p| view(p, Vec::new())).collect())
}

/// One programme with its events (administrators see the unpublished ones too) and, for a
/// pathway, how full it is.
pub async fn get_one(
    state: &AppState,
    caller: Option<&Caller>,
    id: Uuid,
) -> Result<ProgrammeView, SchedulerError> {
    let conn = state.db.conn();
    let programme = programmes::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("programme"))?;
    let rows = events::Entity::find()
        .filter(events::Column::ProgrammeId.eq(id))
        .order_by_asc(events::Column::StartsAt)
        .all(conn)
        .await?;
    let mut list = Vec::new();
    for event in rows {
        if !announce::is_public(&event) && !super::events::may_see_unpublished(caller, &event) {
            continue;
        }
        let loaded = crate::schedule::load(conn, event.id).await?;
        list.push(EventView::new(
            loaded.event,
            loaded.occurrences,
            loaded.space.as_ref(),
        ));
    }
    let places = if programme.taken_as_whole {
        let line = places::programme_line(conn, &programme, &state.settings).await?;
        Some(places::places(conn, &line).await?)
    } else {
        None
    };
    let mut answer = view(programme, list);
    answer.places = places;
    Ok(answer)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Places in the whole programme; `null` for no limit. More places promote the waitlist.
    #[serde(default, deserialize_with = "crate::ops::input::nullable")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
    pub waitlist: Option<bool>,
}

/// Renames a programme or changes its places; freed places go to the first in its waitlist.
pub async fn patch(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: ProgrammePatch,
) -> Result<ProgrammeView, SchedulerError> {
    use sea_orm::{ActiveModelTrait, QuerySelect};
    caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut programme = programmes::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&*unit)
        .await?
        .ok_or(ApiError::NotFound("programme"))?;
    let mut v = Violations::new();
    if let Some(name) = &body.name {
        programme.name = check_text(&mut v, "name", name, TextRule::NAME);
    }
    if let Some(text) = &body.description {
        programme.description = check_text(&mut v, "description", text, TextRule::LONG);
    }
    if let Some(capacity) = body.capacity {
        programme.capacity = input::check_capacity(&mut v, "capacity", capacity);
        v.check(
            programme.taken_as_whole || programme.capacity.is_none(),
            "capacity",
            "only a programme taken as a whole has its own capacity",
        );
    }
    if let Some(waitlist) = body.waitlist {
        programme.waitlist = waitlist;
    }
    v.finish()?;
    programme.updated_at = piazza_shared::clock::now();
    programmes::ActiveModel::from(programme.clone())
        .reset_all()
        .update(&*unit)
        .await?;
    if programme.taken_as_whole {
        let line = places::programme_line(&*unit, &programme, &state.settings).await?;
        places::promote(state, &*unit, &line).await?;
    }
    unit.commit().await?;
    tracing::info!(programme_id = %id, actor = %caller.0.sub, "programme changed");
    Ok(view(programme, Vec::new()))
}
