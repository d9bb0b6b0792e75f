//! Utilisation: how much of the time spaces were open was booked, per space and per building;
//! aggregates only, for administrators and evaluators.

use super::{range, spaces::RangeQuery};
use crate::{
    db::{bookings, closures, opening, spaces, tree::SpaceTree},
    domain::{
        BookingStatus, SpaceStatus,
        intervals::{Interval, subtract},
    },
    error::BookingError,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    http::Violations,
    time::{Bound, parse_bound},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SpaceUtilization {
    pub space_id: Uuid,
    pub name: String,
    pub building: String,
    pub kind: String,
    /// Opening hours in the range (date exceptions included) minus closures of the space and
    /// of the spaces around and inside it, in the space's zone; 0 while it is not open.
    pub open_hours: f64,
    /// Approved bookings of this space, clipped to the range.
    pub booked_hours: f64,
    /// `booked_hours / open_hours`; `null` when the space was never open.
    pub ratio: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BuildingUtilization {
    pub building: String,
    /// Spaces counted (every space of the building that is not retired).
    pub spaces: u32,
    pub open_hours: f64,
    pub booked_hours: f64,
    pub ratio: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Utilization {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub spaces: Vec<SpaceUtilization>,
    pub buildings: Vec<BuildingUtilization>,
}

/// Longest range one report may cover.
const MAX_REPORT_DAYS: i64 = 800;

fn hours(spans: impl IntoIterator<Item = Interval>) -> f64 {
    spans
        .into_iter()
        .map(|(s, e)| (e - s).num_seconds() as f64 / 3600.0)
        .sum()
}

/// Hundredths of an hour are plenty for a report and keep the figures readable.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn ratio(booked: f64, open: f64) -> Option<f64> {
    (open > 0.0).then(|| (booked / open * 10_000.0).round() / 10_000.0)
}

/// Open and booked hours of every space that is not retired, and their sums per building.
pub async fn utilization(
    state: &AppState,
    caller: &Caller,
    range: RangeQuery,
) -> Result<Utilization, BookingError> {
    caller.require(&[Role::Admin, Role::Evaluator])?;
    let zone = state.settings.time_zone;
    let mut v = Violations::new();
    let from = v.take("from", parse_bound(&range.from, zone, Bound::Start));
    let to = v.take("to", parse_bound(&range.to, zone, Bound::End));
    let (from, to) = range::checked(v, from, to, MAX_REPORT_DAYS)?;
    let conn = state.db.conn();
    let all = spaces::Entity::find()
        .filter(spaces::Column::Status.ne(SpaceStatus::Retired.as_str()))
        .order_by_asc(spaces::Column::Building)
        .order_by_asc(spaces::Column::Name)
        .all(conn)
        .await?;
    let tree = SpaceTree::load(conn).await?;
    let mut closed: HashMap<Uuid, Vec<Interval>> = HashMap::new();
    for c in closures::Entity::find()
        .filter(closures::Column::StartsAt.lt(to))
        .filter(closures::Column::EndsAt.gt(from))
        .all(conn)
        .await?
    {
        closed
            .entry(c.space_id)
            .or_default()
            .push((c.starts_at, c.ends_at));
    }
    let mut booked: HashMap<Uuid, Vec<Interval>> = HashMap::new();
    for b in bookings::Entity::find()
        .filter(bookings::Column::Status.eq(BookingStatus::Approved.as_str()))
        // An event in an operator's own booking is those same hours, counted once.
        .filter(bookings::Column::UsesBookingId.is_null())
        .filter(bookings::Column::StartsAt.lt(to))
        .filter(bookings::Column::EndsAt.gt(from))
        .all(conn)
        .await?
    {
        booked
            .entry(b.space_id)
            .or_default()
            .push((b.starts_at.max(from), b.ends_at.min(to)));
    }
    let mut rows = Vec::with_capacity(all.len());
    let mut buildings: BTreeMap<String, (u32, f64, f64)> = BTreeMap::new();
    for space in all {
        let open = if space.is_open() {
            let zone = space.zone(zone);
            let windows = opening::plan(conn, &space, zone, from, to)
                .await?
                .open_between(zone, from, to);
            let shut: Vec<Interval> = tree
                .related(space.id)
                .iter()
                .filter_map(|id| closed.get(id))
                .flatten()
                .copied()
                .collect();
            hours(subtract(windows, shut))
        } else {
            0.0
        };
        let used = hours(booked.remove(&space.id).unwrap_or_default());
        let building = buildings.entry(space.building.clone()).or_default();
        building.0 += 1;
        building.1 += open;
        building.2 += used;
        rows.push(SpaceUtilization {
            space_id: space.id,
            name: space.name,
            building: space.building,
            kind: space.kind,
            open_hours: round(open),
            booked_hours: round(used),
            ratio: ratio(used, open),
        });
    }
    Ok(Utilization {
        from,
        to,
        spaces: rows,
        buildings: buildings
            .into_iter()
            .map(|(building, (count, open, used))| BuildingUtilization {
                building,
                spaces: count,
                open_hours: round(open),
                booked_hours: round(used),
                ratio: ratio(used, open),
            })
            .collect(),
    })
}
