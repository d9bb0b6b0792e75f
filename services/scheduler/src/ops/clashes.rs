//! The clash view of a season: events for the same audience (a shared category and overlapping
//! ages) or by the same operator that overlap in time, and events still waiting for a space; and
//! what the season planner page lays out on its grid, with the operators' live bookings of the
//! season's time (from the scheduler's read model, [`crate::db::booked`]) and where an event
//! meets one.

use crate::{
    db::{booked, events, occurrences},
    db::{seasons, spaces},
    domain::{EventStatus, SCHEDULED},
    error::SchedulerError,
    schedule::announce::categories_of,
    state::AppState,
};
use chrono::{DateTime, NaiveTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::Category,
    http::ApiError,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

/// Why two events clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClashKind {
    /// The same audience: a shared category and overlapping ages.
    Audience,
    /// The same organising operator in two places at once.
    Operator,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventRef {
    pub id: Uuid,
    pub title: String,
    pub status: EventStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Clash {
    pub kind: ClashKind,
    pub events: [EventRef; 2],
    /// How many pairs of their occurrences overlap.
    pub overlaps: u32,
    /// The first overlap.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The categories they share (audience clashes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WaitingForSpace {
    pub event: EventRef,
    pub space_id: Option<Uuid>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClashView {
    pub season_id: Uuid,
    pub clashes: Vec<Clash>,
    pub needs_space: Vec<WaitingForSpace>,
}

fn reference(e: &events::Model) -> EventRef {
    EventRef {
        id: e.id,
        title: e.title.clone(),
        status: EventStatus::parse(&e.status).unwrap_or(EventStatus::Draft),
    }
}

/// Who organises an event, comparably.
fn organiser(e: &events::Model) -> Option<String> {
    match (e.organisation_id, &e.organisation_name) {
        (Some(id), _) => Some(id.to_string()),
        (None, Some(name)) => Some(name.trim().to_lowercase()),
        (None, None) => None,
    }
}

fn ages_overlap(a: &events::Model, b: &events::Model) -> bool {
    let low = a.age_min.unwrap_or(0).max(b.age_min.unwrap_or(0));
    let high = a
        .age_max
        .unwrap_or(i32::MAX)
        .min(b.age_max.unwrap_or(i32::MAX));
    low <= high
}

/// The season's clashes.
pub async fn clashes(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<ClashView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    crate::db::seasons::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("season"))?;
    let live = events::Entity::find()
        .filter(events::Column::SeasonId.eq(id))
        .filter(events::Column::Status.is_not_in([
            EventStatus::Cancelled.as_str(),
            EventStatus::Completed.as_str(),
        ]))
        .all(conn)
        .await?;
    let by_id: HashMap<Uuid, &events::Model> = live.iter().map(|e| (e.id, e)).collect();
    let rows = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.is_in(by_id.keys().copied()))
        .filter(occurrences::Column::Status.eq(SCHEDULED))
        .order_by_asc(occurrences::Column::StartsAt)
        .all(conn)
        .await?;
    let categories: HashMap<Uuid, Vec<Category>> = live
        .iter()
        .map(|e| (e.id, categories_of(&e.categories)))
        .collect();
    // Sweep in start order, keeping the occurrences still running.
    let mut running: Vec<&occurrences::Model> = Vec::new();
    let mut found: BTreeMap<(ClashKind, Uuid, Uuid), Clash> = BTreeMap::new();
    for o in &rows {
        running.retain(|r| r.ends_at > o.starts_at);
        for r in &running {
            if r.event_id == o.event_id {
                continue;
            }
            let (Some(a), Some(b)) = (by_id.get(&r.event_id), by_id.get(&o.event_id)) else {
                continue;
            };
            let (first, second) = if a.id < b.id { (a, b) } else { (b, a) };
            let shared: Vec<Category> = categories[&first.id]
                .iter()
                .filter(|c| categories[&second.id].contains(c))
                .copied()
                .collect();
            let mut kinds = Vec::new();
            if !shared.is_empty() && ages_overlap(first, second) {
                kinds.push(ClashKind::Audience);
            }
            if organiser(first).is_some() && organiser(first) == organiser(second) {
                kinds.push(ClashKind::Operator);
            }
            for kind in kinds {
                let overlap = (o.starts_at, r.ends_at.min(o.ends_at));
                found
                    .entry((kind, first.id, second.id))
                    .and_modify(|c| c.overlaps += 1)
                    .or_insert_with(|| Clash {
                        kind,
                        events: [reference(first), reference(second)],
                        overlaps: 1,
                        starts_at: overlap.0,
                        ends_at: overlap.1,
                        categories: if kind == ClashKind::Audience {
                            shared.clone()
                        } else {
                            Vec::new()
                        },
                    });
            }
        }
        running.push(o);
    }
    let mut list: Vec<Clash> = found.into_values().collect();
    list.sort_by_key(|c| (c.starts_at, c.kind));
    let needs_space = live
        .iter()
        .filter(|e| e.status == EventStatus::NeedsSpace.as_str())
        .map(|e| WaitingForSpace {
            event: reference(e),
            space_id: e.space_id,
            reason: e.space_reason.clone(),
        })
        .collect();
    Ok(ClashView {
        season_id: id,
        clashes: list,
        needs_space,
    })
}

/// What the season planner shows: the season, its live events and their scheduled dates (no
/// cancelled event or date), the operators' live bookings meeting the season, the spaces, and
/// the clash view.
pub struct Plan {
    pub season: seasons::Model,
    pub events: Vec<events::Model>,
    pub occurrences: Vec<occurrences::Model>,
    pub bookings: Vec<booked::Model>,
    pub spaces: Vec<spaces::Model>,
    pub clashes: ClashView,
}

/// How an event's date and an operator's booking of the same space meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meeting {
    /// They overlap: the space is asked for twice.
    Clash,
    /// The event is its organisation's, inside its approved booking: it takes place there.
    Inside,
}

/// Where the events' dates meet the bookings in the same space: (event, booking, how).
/// Spaces inside one another are not compared (the scheduler does not know the tree; booking
/// refuses such overlaps when it holds the slot).
pub fn meetings(
    events: &[events::Model],
    occurrences: &[occurrences::Model],
    bookings: &[booked::Model],
) -> Vec<(Uuid, Uuid, Meeting)> {
    let by_id: HashMap<Uuid, &events::Model> = events.iter().map(|e| (e.id, e)).collect();
    let mut found = Vec::new();
    for o in occurrences {
        let Some(event) = by_id.get(&o.event_id) else {
            continue;
        };
        let Some(space) = event.space_id else {
            continue;
        };
        for b in bookings
            .iter()
            .filter(|b| b.space_id == space && b.starts_at < o.ends_at && o.starts_at < b.ends_at)
        {
            let inside = b.status == "approved"
                && event.organisation_id.is_some()
                && event.organisation_id == b.organisation_id
                && b.starts_at <= o.starts_at
                && o.ends_at <= b.ends_at;
            let how = if inside {
                Meeting::Inside
            } else {
                Meeting::Clash
            };
            if !found.contains(&(event.id, b.id, how)) {
                found.push((event.id, b.id, how));
            }
        }
    }
    found
}

pub async fn plan(state: &AppState, caller: &Caller, id: Uuid) -> Result<Plan, SchedulerError> {
    let clashes = clashes(state, caller, id).await?;
    let conn = state.db.conn();
    let season = seasons::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("season"))?;
    let events = events::Entity::find()
        .filter(events::Column::SeasonId.eq(id))
        .filter(events::Column::Status.ne(EventStatus::Cancelled.as_str()))
        .order_by_asc(events::Column::StartsAt)
        .all(conn)
        .await?;
    let occurrences = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.is_in(events.iter().map(|e| e.id)))
        .filter(occurrences::Column::Status.eq(SCHEDULED))
        .order_by_asc(occurrences::Column::StartsAt)
        .all(conn)
        .await?;
    let spaces = spaces::Entity::find()
        .order_by_asc(spaces::Column::Name)
        .all(conn)
        .await?;
    // A day either side covers every zone's midnight; the page keeps the season's dates.
    let from = season.starts_on - chrono::Duration::days(1);
    let to = season.ends_on + chrono::Duration::days(2);
    let bookings = booked::live_in(
        conn,
        spaces.iter().map(|s| s.id).collect(),
        from.and_time(NaiveTime::MIN).and_utc(),
        to.and_time(NaiveTime::MIN).and_utc(),
    )
    .await?;
    Ok(Plan {
        season,
        events,
        occurrences,
        bookings,
        spaces,
        clashes,
    })
}
