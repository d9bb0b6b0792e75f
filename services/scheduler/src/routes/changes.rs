//! Changing an event after it was made: its details, its timing (the series is planned again and
//! each occurrence keeps its id), its space (booking moves the hold), or one occurrence, or one
//! and those that follow it. Public events tell their readers what changed.

use super::{
    events::{insert_occurrences, new_occurrence},
    input::{self, nullable},
    views::EventView,
    workflow,
};
use crate::{
    db::{events, occurrences},
    domain::{CANCELLED, EventStatus, FundingLine, SCHEDULED, SpaceStatus, TextRule, check_text},
    places,
    schedule::{
        self, Loaded,
        announce::{self, Change},
        timing,
    },
    state::AppState,
};
use axum::extract::State;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use piazza_shared::{
    auth::{Caller, Role},
    contracts::{Category, event::Occurrence},
    http::{ApiError, Json, Path, Problem, Violations},
    recurrence::Exclusion,
    time::{local_to_utc, parse_instant, parse_zone},
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What to change; absent fields stay as they are, `null` clears a field that may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub description_en: Option<String>,
    pub categories: Option<Vec<Category>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub age_min: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub age_max: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
    pub waitlist: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub registration_closes_minutes: Option<Option<i64>>,
    pub accessibility_notes: Option<String>,
    pub price_cents: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub organiser: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<FundingLine>)]
    pub funding_line: Option<Option<FundingLine>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub programme_id: Option<Option<Uuid>>,
    /// The first occurrence, RFC 3339.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recurrence: Option<Option<String>>,
    pub exdates: Option<Vec<String>>,
    /// Another space (booking moves the hold), or `null` to let it go.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub space_id: Option<Option<Uuid>>,
}

impl EventPatch {
    fn touches_timing(&self) -> bool {
        self.starts_at.is_some()
            || self.ends_at.is_some()
            || self.time_zone.is_some()
            || self.recurrence.is_some()
            || self.exdates.is_some()
    }
}

/// Who may change the event: administrators, and the proposing organisation while it is a
/// proposal.
fn may_edit(caller: &Caller, event: &events::Model) -> Result<(), ApiError> {
    if caller.is_admin() {
        return Ok(());
    }
    caller.require(&[Role::Operator])?;
    caller.require_owner(event.organisation_id)?;
    if event.status != EventStatus::Proposed.as_str() {
        return Err(ApiError::Forbidden(
            "only a proposal can be changed by its organisation".into(),
        ));
    }
    Ok(())
}

fn refuse_final(event: &events::Model) -> Result<(), ApiError> {
    let status = EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft);
    if status.is_final() {
        return Err(ApiError::conflict(
            format!("the event is {} and changes no more", status.as_str()),
            vec![],
        ));
    }
    Ok(())
}

fn zone_of(event: &events::Model, fallback: Tz) -> Tz {
    parse_zone(&event.time_zone).unwrap_or(fallback)
}

/// Edits or reschedules an event.
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}",
    tag = "events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = EventPatch,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Cancelled or completed", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<EventPatch>,
) -> Result<axum::Json<EventView>, ApiError> {
    let txn = state.db.begin().await?;
    let mut loaded = schedule::load_locked(&*txn, id).await?;
    may_edit(&caller, &loaded.event)?;
    refuse_final(&loaded.event)?;
    let before = loaded.clone();
    let now = Utc::now();
    let mut v = Violations::new();
    apply_details(&mut v, &mut loaded.event, &body, caller.is_admin());
    let programme_id = body.programme_id.unwrap_or(loaded.event.programme_id);
    input::programme(&*txn, &mut v, programme_id, loaded.event.season_id).await?;
    loaded.event.programme_id = programme_id;
    let mut reconciled = timing::Reconciled::default();
    let mut added = Vec::new();
    if body.touches_timing() {
        let planned = replan(&state, &*txn, &mut v, &mut loaded.event, &body).await?;
        std::mem::take(&mut v).finish()?;
        reconciled = timing::reconcile(
            &loaded.occurrences,
            &planned,
            zone_of(&loaded.event, state.settings.time_zone),
            now,
        );
        added = apply_plan(&*txn, &mut loaded, &reconciled, now).await?;
    }
    v.finish()?;
    let space_changed = matches!(body.space_id, Some(space) if space != loaded.event.space_id);
    if let Some(space) = body.space_id {
        loaded.event.space_id = space;
    }
    let event = &mut loaded.event;
    if space_changed && event.space_id.is_none() {
        announce::release_slots(&*txn, &state.outbox, event, "the event no longer needs it")
            .await?;
        event.space_status = SpaceStatus::None.as_str().into();
        event.space_reason = None;
        if event.status == EventStatus::NeedsSpace.as_str() {
            event.status = EventStatus::Draft.as_str().into();
        }
    } else if space_changed || (!reconciled.is_empty() && event.space_id.is_some()) {
        // Booking replaces what it held for the event with the new slots.
        announce::request_slots(&*txn, &state.outbox, event, &loaded.occurrences, now).await?;
    }
    let changed = event != &before.event || !reconciled.is_empty();
    if changed {
        event.sequence += 1;
        event.updated_at = now;
    }
    announce::save(&*txn, event).await?;
    if loaded.space.as_ref().map(|s| s.id) != loaded.event.space_id {
        loaded.space = match loaded.event.space_id {
            Some(space) => {
                crate::db::spaces::Entity::find_by_id(space)
                    .one(&*txn)
                    .await?
            }
            None => None,
        };
    }
    if changed && loaded.event.status == EventStatus::Published.as_str() {
        tell(
            &state,
            &*txn,
            &before,
            &loaded,
            &reconciled,
            !added.is_empty(),
        )
        .await?;
    }
    if loaded.event.capacity != before.event.capacity
        || loaded.event.waitlist != before.event.waitlist
    {
        places::refill_event(&state, &*txn, &loaded).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, actor = %caller.0.sub, moved = reconciled.moved.len(), removed = reconciled.removed.len(), added = added.len(), "event changed");
    Ok(axum::Json(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    )))
}

use sea_orm::EntityTrait;

/// Applies the fields that do not move the event.
fn apply_details(v: &mut Violations, event: &mut events::Model, body: &EventPatch, admin: bool) {
    if let Some(title) = &body.title {
        event.title = input::check_title(v, title);
    }
    if let Some(text) = &body.description {
        event.description = check_text(v, "description", text, TextRule::LONG);
    }
    if let Some(text) = &body.description_en {
        event.description_en = check_text(v, "description_en", text, TextRule::LONG);
    }
    if let Some(text) = &body.accessibility_notes {
        event.accessibility_notes = check_text(v, "accessibility_notes", text, TextRule::NOTE);
    }
    if let Some(categories) = &body.categories {
        event.categories = input::check_categories(v, categories);
    }
    let age_min = body.age_min.unwrap_or(event.age_min.map(i64::from));
    let age_max = body.age_max.unwrap_or(event.age_max.map(i64::from));
    input::check_ages(v, age_min, age_max);
    event.age_min = age_min.and_then(|a| i32::try_from(a).ok());
    event.age_max = age_max.and_then(|a| i32::try_from(a).ok());
    if let Some(capacity) = body.capacity {
        event.capacity = input::check_capacity(v, "capacity", capacity);
    }
    if let Some(waitlist) = body.waitlist {
        event.waitlist = waitlist;
    }
    if let Some(minutes) = body.registration_closes_minutes {
        event.registration_closes_minutes = input::check_closes(v, minutes);
    }
    if let Some(price) = body.price_cents {
        event.price_cents = input::check_price(v, price);
    }
    if let Some(funding) = body.funding_line {
        event.funding_line = funding.map(|f| f.as_str().to_string());
    }
    if let Some(organiser) = &body.organiser {
        if admin {
            event.organisation_name = organiser
                .as_ref()
                .map(|name| check_text(v, "organiser", name, TextRule::NAME));
        } else {
            v.add("organiser", "an operator's events are its organisation's");
        }
    }
}

/// Plans the series again from the new timing; updates the event's timing fields.
async fn replan(
    state: &AppState,
    conn: &impl sea_orm::ConnectionTrait,
    v: &mut Violations,
    event: &mut events::Model,
    body: &EventPatch,
) -> Result<Vec<piazza_shared::recurrence::Instance>, ApiError> {
    let zone = match &body.time_zone {
        Some(name) => v.take("time_zone", parse_zone(name)),
        None => Some(zone_of(event, state.settings.time_zone)),
    };
    let starts_at = match &body.starts_at {
        Some(text) => v.take("starts_at", parse_instant(text)),
        None => Some(event.starts_at),
    };
    let ends_at = match &body.ends_at {
        Some(text) => v.take("ends_at", parse_instant(text)),
        None => Some(event.ends_at),
    };
    let rule = match &body.recurrence {
        Some(rule) => rule.as_ref().map(|r| r.trim().to_string()),
        None => event.recurrence.clone(),
    };
    let (Some(zone), Some(starts_at), Some(ends_at)) = (zone, starts_at, ends_at) else {
        return Ok(Vec::new());
    };
    let exclusions = match &body.exdates {
        Some(list) => input::check_exdates(v, list, zone),
        None => input::stored_exdates(&event.exdates, zone),
    };
    let season = input::season(conn, v, event.season_id).await?;
    let planned = timing::plan(
        v,
        &timing::Timing {
            starts_at,
            ends_at,
            zone,
            rule: rule.as_deref(),
            exclusions: &exclusions,
            season: season.as_ref(),
            max: state.settings.scheduler.max_occurrences,
        },
    );
    if let Some(first) = planned.first() {
        event.starts_at = first.starts_at;
        event.ends_at = first.ends_at;
    }
    event.time_zone = zone.name().to_string();
    event.recurrence = rule;
    event.exdates = input::exdates_json(&exclusions);
    Ok(planned)
}

/// Writes a reconciled plan: moved occurrences keep their ids, removed ones are cancelled, new
/// ones are added. Returns the added rows.
async fn apply_plan(
    conn: &impl sea_orm::ConnectionTrait,
    loaded: &mut Loaded,
    plan: &timing::Reconciled,
    now: DateTime<Utc>,
) -> Result<Vec<occurrences::Model>, ApiError> {
    for (row, instance) in &plan.moved {
        if let Some(o) = loaded.occurrences.iter_mut().find(|o| o.id == row.id) {
            o.starts_at = instance.starts_at;
            o.ends_at = instance.ends_at;
            o.recurrence_id = Some(instance.starts_at);
            o.sequence += 1;
            o.reminded_at = None;
            o.updated_at = Some(now);
            announce::save_occurrence(conn, o).await?;
        }
    }
    for row in &plan.removed {
        if let Some(o) = loaded.occurrences.iter_mut().find(|o| o.id == row.id) {
            o.status = CANCELLED.into();
            o.cancel_reason = Some("no longer in the series".into());
            o.sequence += 1;
            o.updated_at = Some(now);
            announce::save_occurrence(conn, o).await?;
        }
    }
    let added: Vec<occurrences::Model> = plan
        .added
        .iter()
        .map(|i| new_occurrence(loaded.event.id, i.starts_at, i.ends_at, now))
        .collect();
    insert_occurrences(conn, &added).await?;
    loaded.occurrences.extend(added.iter().cloned());
    loaded.occurrences.sort_by_key(|o| (o.starts_at, o.id));
    Ok(added)
}

/// Tells readers of a public event what changed: moves (of time or place) and additions as a
/// reschedule, removals as a partial cancellation, anything else as an update.
async fn tell(
    state: &AppState,
    conn: &impl sea_orm::ConnectionTrait,
    before: &Loaded,
    after: &Loaded,
    plan: &timing::Reconciled,
    added: bool,
) -> Result<(), ApiError> {
    let place_changed = before.event.space_id != after.event.space_id;
    if !plan.removed.is_empty() {
        let change = Change::Cancelled {
            reason: "no longer in the series".into(),
            occurrence_ids: plan.removed.iter().map(|o| o.id).collect(),
        };
        announce::announce(conn, &state.outbox, after, change).await?;
    }
    if !plan.moved.is_empty() || place_changed || added {
        let previous: Vec<Occurrence> = if place_changed {
            // Every occurrence is somewhere else now.
            before
                .occurrences
                .iter()
                .filter(|o| o.status == SCHEDULED)
                .map(announce::occurrence)
                .collect()
        } else {
            plan.moved
                .iter()
                .map(|(o, _)| announce::occurrence(o))
                .collect()
        };
        let change = Change::Rescheduled {
            previous,
            previous_place: if place_changed {
                before.space.as_ref().map(announce::place)
            } else {
                None
            },
        };
        announce::announce(conn, &state.outbox, after, change).await?;
    } else if plan.removed.is_empty() {
        announce::announce(conn, &state.outbox, after, Change::Updated).await?;
    }
    Ok(())
}

/// Whether a change applies to one occurrence or to it and every later one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    #[default]
    Occurrence,
    Following,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OccurrencePatch {
    /// New start, RFC 3339; with `following`, later occurrences shift by as much in local time.
    pub starts_at: String,
    pub ends_at: String,
    #[serde(default)]
    pub scope: Scope,
}

/// The occurrence `occurrence_id` of the loaded event, still to come and scheduled.
fn find_occurrence(loaded: &Loaded, occurrence_id: Uuid) -> Result<usize, ApiError> {
    let index = loaded
        .occurrences
        .iter()
        .position(|o| o.id == occurrence_id)
        .ok_or(ApiError::NotFound("occurrence"))?;
    let occurrence = &loaded.occurrences[index];
    if occurrence.status != SCHEDULED {
        return Err(ApiError::conflict("the occurrence is cancelled", vec![]));
    }
    if occurrence.starts_at <= Utc::now() {
        return Err(ApiError::conflict(
            "the occurrence has begun or is over",
            vec![],
        ));
    }
    Ok(index)
}

/// The occurrences a change reaches: the one given, and with `following` every later
/// scheduled one.
fn reached(loaded: &Loaded, index: usize, scope: Scope) -> Vec<usize> {
    let from = &loaded.occurrences[index];
    (0..loaded.occurrences.len())
        .filter(|&i| {
            i == index
                || (scope == Scope::Following
                    && loaded.occurrences[i].status == SCHEDULED
                    && (loaded.occurrences[i].starts_at, loaded.occurrences[i].id)
                        > (from.starts_at, from.id))
        })
        .collect()
}

/// Moves one occurrence, or it and the following ones (by the same shift in local time).
#[utoipa::path(
    patch,
    path = "/api/v1/events/{id}/occurrences/{occurrence_id}",
    tag = "events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id"), ("occurrence_id" = Uuid, Path, description = "Occurrence id")),
    request_body = OccurrencePatch,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn move_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, occurrence_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<OccurrencePatch>,
) -> Result<axum::Json<EventView>, ApiError> {
    let txn = state.db.begin().await?;
    let mut loaded = schedule::load_locked(&*txn, id).await?;
    may_edit(&caller, &loaded.event)?;
    refuse_final(&loaded.event)?;
    let index = find_occurrence(&loaded, occurrence_id)?;
    let mut v = Violations::new();
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    std::mem::take(&mut v).finish()?;
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(ApiError::field("starts_at", "is required"));
    };
    let now = Utc::now();
    v.check(ends_at > starts_at, "ends_at", "must be after starts_at");
    v.check(starts_at > now, "starts_at", "must be in the future");
    v.check(
        ends_at - starts_at <= chrono::Duration::days(31),
        "ends_at",
        "one occurrence lasts at most 31 days",
    );
    std::mem::take(&mut v).finish()?;
    let zone = zone_of(&loaded.event, state.settings.time_zone);
    let wall = |t: DateTime<Utc>| t.with_timezone(&zone).naive_local();
    let anchor = wall(loaded.occurrences[index].starts_at);
    let shift = wall(starts_at) - anchor;
    let length = wall(ends_at) - wall(starts_at);
    let season = input::season(&*txn, &mut v, loaded.event.season_id).await?;
    let mut previous = Vec::new();
    for i in reached(&loaded, index, body.scope) {
        let o = &mut loaded.occurrences[i];
        let new_start = if i == index {
            starts_at
        } else {
            local_to_utc(wall(o.starts_at) + shift, zone)
        };
        let new_end = if i == index {
            ends_at
        } else {
            local_to_utc(wall(new_start) + length, zone)
        };
        if let Some(season) = &season {
            let day = new_start.with_timezone(&zone).date_naive();
            v.check(
                day >= season.starts_on && day <= season.ends_on,
                "starts_at",
                format!(
                    "occurrences must fall within the season ({} to {})",
                    season.starts_on, season.ends_on
                ),
            );
        }
        previous.push(announce::occurrence(o));
        o.starts_at = new_start;
        o.ends_at = new_end;
        o.sequence += 1;
        o.reminded_at = None;
        o.updated_at = Some(now);
    }
    v.finish()?;
    for o in loaded
        .occurrences
        .iter()
        .filter(|o| previous.iter().any(|p| p.occurrence_id == o.id))
    {
        announce::save_occurrence(&*txn, o).await?;
    }
    loaded.occurrences.sort_by_key(|o| (o.starts_at, o.id));
    finish_occurrence_change(&state, &*txn, &mut loaded, now).await?;
    if loaded.event.status == EventStatus::Published.as_str() {
        let change = Change::Rescheduled {
            previous,
            previous_place: None,
        };
        announce::announce(&*txn, &state.outbox, &loaded, change).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, %occurrence_id, scope = ?body.scope, actor = %caller.0.sub, "occurrence moved");
    Ok(axum::Json(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    )))
}

/// After occurrences changed: the event's first occurrence, and booking's hold.
async fn finish_occurrence_change(
    state: &AppState,
    conn: &impl sea_orm::ConnectionTrait,
    loaded: &mut Loaded,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let event = &mut loaded.event;
    if let Some(first) = loaded.occurrences.iter().find(|o| o.status == SCHEDULED) {
        event.starts_at = first.starts_at;
        event.ends_at = first.ends_at;
    }
    announce::request_slots(conn, &state.outbox, event, &loaded.occurrences, now).await?;
    event.sequence += 1;
    event.updated_at = now;
    announce::save(conn, event).await?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelOccurrence {
    pub reason: String,
    #[serde(default)]
    pub scope: Scope,
}

/// Cancels one occurrence, or it and the following ones. The series remembers it (an EXDATE, or
/// an earlier UNTIL), so editing the series later does not bring it back. Cancelling every
/// occurrence that is left cancels the event.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/occurrences/{occurrence_id}/cancel",
    tag = "events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id"), ("occurrence_id" = Uuid, Path, description = "Occurrence id")),
    request_body = CancelOccurrence,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn cancel_occurrence(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, occurrence_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<CancelOccurrence>,
) -> Result<axum::Json<EventView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let reason = workflow::reason(&body.reason)?;
    let txn = state.db.begin().await?;
    let mut loaded = schedule::load_locked(&*txn, id).await?;
    refuse_final(&loaded.event)?;
    let index = find_occurrence(&loaded, occurrence_id)?;
    let now = Utc::now();
    let zone = zone_of(&loaded.event, state.settings.time_zone);
    let targets = reached(&loaded, index, body.scope);
    let original = |o: &occurrences::Model| o.recurrence_id.unwrap_or(o.starts_at);
    let mut exclusions = input::stored_exdates(&loaded.event.exdates, zone);
    match (body.scope, loaded.event.recurrence.clone()) {
        (Scope::Following, Some(rule)) => {
            let cut = original(&loaded.occurrences[index]) - chrono::Duration::seconds(1);
            loaded.event.recurrence = Some(timing::rule_until(&rule, cut));
        }
        _ => {
            for &i in &targets {
                let day = original(&loaded.occurrences[i])
                    .with_timezone(&zone)
                    .date_naive();
                exclusions.push(Exclusion::Day(day));
            }
            loaded.event.exdates = input::exdates_json(&exclusions);
        }
    }
    let mut ids = Vec::new();
    for &i in &targets {
        let o = &mut loaded.occurrences[i];
        o.status = CANCELLED.into();
        o.cancel_reason = Some(reason.clone());
        o.sequence += 1;
        o.updated_at = Some(now);
        announce::save_occurrence(&*txn, o).await?;
        ids.push(o.id);
    }
    let none_left = !loaded.occurrences.iter().any(|o| o.status == SCHEDULED);
    if none_left {
        loaded.event.status = EventStatus::Cancelled.as_str().into();
        loaded.event.cancel_reason = Some(reason.clone());
    }
    finish_occurrence_change(&state, &*txn, &mut loaded, now).await?;
    if announce::is_public(&loaded.event) {
        let change = Change::Cancelled {
            reason,
            occurrence_ids: if none_left { Vec::new() } else { ids.clone() },
        };
        announce::announce(&*txn, &state.outbox, &loaded, change).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, %occurrence_id, cancelled = ids.len(), actor = %caller.0.sub, "occurrences cancelled");
    Ok(axum::Json(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    )))
}
