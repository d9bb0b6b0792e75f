//! Changing an event after it was made: its details, its timing (the series is planned again and
//! each occurrence keeps its id) and its space (booking moves the hold). Changing single
//! occurrences is in `occurrences`. Public events tell their readers what changed.

use crate::ops::input::{self, nullable};
use crate::{
    db::{
        events,
        occurrences::{self, insert_occurrences, new_occurrence},
    },
    domain::{CANCELLED, EventStatus, FundingLine, SCHEDULED, SpaceStatus, TextRule, check_text},
    error::SchedulerError,
    ops::places,
    schedule::{
        self, Loaded,
        announce::{self, Change},
        timing,
    },
    state::AppState,
    views::EventView,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use piazza_shared::{
    auth::{Caller, Role},
    contracts::{Category, event::Occurrence},
    http::{ApiError, Violations},
    time::{parse_instant, parse_zone},
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// What to change; absent fields stay as they are, `null` clears a field that may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub title: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description_en: Option<String>,
    #[schema(min_items = 1)]
    pub categories: Option<Vec<Category>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 120)]
    pub age_min: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 120)]
    pub age_max: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 100000)]
    pub capacity: Option<Option<i64>>,
    pub waitlist: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 86400)]
    pub registration_closes_minutes: Option<Option<i64>>,
    #[schema(
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub accessibility_notes: Option<String>,
    #[schema(minimum = 0, maximum = 1000000)]
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
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    pub time_zone: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub recurrence: Option<Option<String>>,
    #[schema(max_items = 1000)]
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
pub(super) fn may_edit(caller: &Caller, event: &events::Model) -> Result<(), ApiError> {
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

pub(super) fn refuse_final(event: &events::Model) -> Result<(), ApiError> {
    let status = EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft);
    if status.is_final() {
        return Err(SchedulerError::EventFinal(status).into());
    }
    Ok(())
}

pub(super) fn zone_of(event: &events::Model, fallback: Tz) -> Tz {
    parse_zone(&event.time_zone).unwrap_or(fallback)
}

/// Edits or reschedules an event (not a co-design table's meeting: its table does).
pub async fn patch(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: EventPatch,
) -> Result<EventView, SchedulerError> {
    super::refuse_meeting(state.db.conn(), id).await?;
    patch_any(state, caller, id, body).await
}

/// Edits or reschedules any event, a table's meeting included (for `ops::tables::meetings`).
pub(crate) async fn patch_any(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: EventPatch,
) -> Result<EventView, SchedulerError> {
    let unit = state.begin().await?;
    let mut loaded = schedule::load_locked(&*unit, id).await?;
    may_edit(caller, &loaded.event)?;
    refuse_final(&loaded.event)?;
    let before = loaded.clone();
    let now = piazza_shared::clock::now();
    let mut v = Violations::new();
    apply_details(&mut v, &mut loaded.event, &body, caller.is_admin());
    let programme_id = body.programme_id.unwrap_or(loaded.event.programme_id);
    input::programme(&*unit, &mut v, programme_id, loaded.event.season_id).await?;
    loaded.event.programme_id = programme_id;
    let mut reconciled = timing::Reconciled::default();
    let mut added = Vec::new();
    if body.touches_timing() {
        let planned = replan(state, &*unit, &mut v, &mut loaded.event, &body).await?;
        std::mem::take(&mut v).finish()?;
        reconciled = timing::reconcile(
            &loaded.occurrences,
            &planned,
            zone_of(&loaded.event, state.settings.time_zone),
            now,
        );
        added = apply_plan(&*unit, &mut loaded, &reconciled, now).await?;
    }
    v.finish()?;
    let space_changed = matches!(body.space_id, Some(space) if space != loaded.event.space_id);
    if let Some(space) = body.space_id {
        loaded.event.space_id = space;
    }
    let event = &mut loaded.event;
    if space_changed && event.space_id.is_none() {
        announce::release_slots(&*unit, &state.outbox, event, "the event no longer needs it")
            .await?;
        event.space_status = SpaceStatus::None.as_str().into();
        event.space_reason = None;
        if event.status == EventStatus::NeedsSpace.as_str() {
            event.status = EventStatus::Draft.as_str().into();
        }
    } else if space_changed || (!reconciled.is_empty() && event.space_id.is_some()) {
        // Booking replaces what it held for the event with the new slots.
        announce::request_slots(&*unit, &state.outbox, event, &loaded.occurrences, now).await?;
    }
    let changed = event != &before.event || !reconciled.is_empty();
    if changed {
        event.sequence += 1;
        event.updated_at = now;
    }
    announce::save(&*unit, event).await?;
    if loaded.space.as_ref().map(|s| s.id) != loaded.event.space_id {
        loaded.space = match loaded.event.space_id {
            Some(space) => {
                crate::db::spaces::Entity::find_by_id(space)
                    .one(&*unit)
                    .await?
            }
            None => None,
        };
    }
    if changed && loaded.event.status == EventStatus::Published.as_str() {
        tell(
            state,
            &*unit,
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
        places::refill_event(state, &*unit, &loaded).await?;
    }
    unit.commit().await?;
    tracing::info!(event_id = %id, actor = %caller.0.sub, moved = reconciled.moved.len(), removed = reconciled.removed.len(), added = added.len(), "event changed");
    Ok(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    ))
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
