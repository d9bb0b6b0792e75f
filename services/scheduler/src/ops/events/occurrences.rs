//! Changing single occurrences of an event: moving one, or it and the following ones by the same
//! shift in local time, and cancelling one, or it and the following ones. The series remembers a
//! cancellation, so editing the series later does not bring it back. Public events tell their
//! readers what changed.

use super::changes::{may_edit, refuse_final, zone_of};
use crate::{
    db::occurrences,
    domain::{CANCELLED, EventStatus, SCHEDULED},
    error::SchedulerError,
    schedule::{
        self, Loaded,
        announce::{self, Change},
        timing,
    },
    state::AppState,
};
use crate::{ops::input, views::EventView};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, RawJson, Violations},
    recurrence::Exclusion,
    time::{local_to_utc, parse_instant},
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

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
        return Err(SchedulerError::OccurrenceCancelled.into());
    }
    if occurrence.starts_at <= piazza_shared::clock::now() {
        return Err(SchedulerError::OccurrenceStarted.into());
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
pub async fn move_occurrence(
    state: &AppState,
    caller: &Caller,
    (id, occurrence_id): (Uuid, Uuid),
    body: RawJson,
) -> Result<EventView, SchedulerError> {
    super::refuse_meeting(state.db.conn(), id).await?;
    let unit = state.begin().await?;
    let mut loaded = schedule::load_locked(&*unit, id).await?;
    may_edit(caller, &loaded.event)?;
    let body: OccurrencePatch = body.parse()?;
    refuse_final(&loaded.event)?;
    let index = find_occurrence(&loaded, occurrence_id)?;
    let mut v = Violations::new();
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    std::mem::take(&mut v).finish()?;
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else {
        return Err(ApiError::field("starts_at", "is required").into());
    };
    let now = piazza_shared::clock::now();
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
    let season = input::season(&*unit, &mut v, loaded.event.season_id).await?;
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
        announce::save_occurrence(&*unit, o).await?;
    }
    loaded.occurrences.sort_by_key(|o| (o.starts_at, o.id));
    finish_occurrence_change(state, &*unit, &mut loaded, now).await?;
    if loaded.event.status == EventStatus::Published.as_str() {
        let change = Change::Rescheduled {
            previous,
            previous_place: None,
        };
        announce::announce(&*unit, &state.outbox, &loaded, change).await?;
    }
    unit.commit().await?;
    tracing::info!(event_id = %id, %occurrence_id, scope = ?body.scope, actor = %caller.0.sub, "occurrence moved");
    Ok(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    ))
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
pub async fn cancel_occurrence(
    state: &AppState,
    caller: &Caller,
    (id, occurrence_id): (Uuid, Uuid),
    body: CancelOccurrence,
) -> Result<EventView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    super::refuse_meeting(state.db.conn(), id).await?;
    let reason = input::reason(&body.reason)?;
    let unit = state.begin().await?;
    let mut loaded = schedule::load_locked(&*unit, id).await?;
    refuse_final(&loaded.event)?;
    let index = find_occurrence(&loaded, occurrence_id)?;
    let now = piazza_shared::clock::now();
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
        announce::save_occurrence(&*unit, o).await?;
        ids.push(o.id);
    }
    let none_left = !loaded.occurrences.iter().any(|o| o.status == SCHEDULED);
    if none_left {
        loaded.event.status = EventStatus::Cancelled.as_str().into();
        loaded.event.cancel_reason = Some(reason.clone());
    }
    finish_occurrence_change(state, &*unit, &mut loaded, now).await?;
    if announce::is_public(&loaded.event) {
        let change = Change::Cancelled {
            reason,
            occurrence_ids: if none_left { Vec::new() } else { ids.clone() },
        };
        announce::announce(&*unit, &state.outbox, &loaded, change).await?;
    }
    unit.commit().await?;
    tracing::info!(event_id = %id, %occurrence_id, cancelled = ids.len(), actor = %caller.0.sub, "occurrences cancelled");
    Ok(EventView::new(
        loaded.event,
        loaded.occurrences,
        loaded.space.as_ref(),
    ))
}
