//! Finding spaces: the catalogue by its filters (and by free time), and when one space is free
//! — opening hours minus closures minus held slots, with buffers.

use super::fields::find;
use crate::ops::range;
use crate::{
    db::{busy, conflicts::find_conflicts, opening, spaces, tree::SpaceTree},
    domain::{
        SpaceKind, SpaceStatus, Words,
        intervals::{Interval, subtract},
    },
    error::BookingError,
    state::AppState,
    views::{SpaceView, stored_codes},
};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    contracts::{Accessibility, Equipment, Feature},
    http::{Violations, page},
    time::{Bound, parse_bound},
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filters of the catalogue.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SpaceFilter {
    /// Spaces holding at least this many people.
    pub capacity_min: Option<u32>,
    /// Words, in Italian or English, each found in the name, building or address or among the
    /// labels and search words of the space's equipment and accessibility (`proiettore` finds a
    /// space with `projector`); case and accents do not matter.
    pub q: Option<String>,
    /// Comma-separated equipment codes every result must have.
    pub equipment: Option<String>,
    /// Comma-separated accessibility codes every result must have.
    pub accessibility: Option<String>,
    pub kind: Option<SpaceKind>,
    pub building: Option<String>,
    pub status: Option<SpaceStatus>,
    /// With `free_to`: only spaces free for the whole range.
    pub free_from: Option<String>,
    pub free_to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// The codes of a comma-separated filter; an unknown one is a 422 naming the filter.
fn codes_of<F: Feature>(v: &mut Violations, field: &str, list: &Option<String>) -> Vec<F> {
    let mut codes = Vec::new();
    for code in list.as_deref().unwrap_or("").split(',').map(str::trim) {
        match F::parse(code) {
            Some(f) => codes.push(f),
            None if code.is_empty() => {}
            None => v.add(field, format!("unknown code `{code}`")),
        }
    }
    codes
}

/// The free range a search asks for, if any.
fn free_range(filter: &SpaceFilter, zone: chrono_tz::Tz) -> Result<Option<Interval>, BookingError> {
    let mut v = Violations::new();
    let free = match (&filter.free_from, &filter.free_to) {
        (None, None) => None,
        (Some(from), Some(to)) => {
            let from = v.take("free_from", parse_bound(from, zone, Bound::Start));
            let to = v.take("free_to", parse_bound(to, zone, Bound::End));
            if let (Some(f), Some(t)) = (from, to) {
                v.check(t > f, "free_to", "must be after free_from");
            }
            from.zip(to)
        }
        (Some(_), None) => {
            v.add("free_to", "is required with free_from");
            None
        }
        (None, Some(_)) => {
            v.add("free_from", "is required with free_to");
            None
        }
    };
    v.finish()?;
    Ok(free)
}

/// One space (anyone may read the catalogue).
pub async fn get(state: &AppState, id: Uuid) -> Result<SpaceView, BookingError> {
    let mut space: SpaceView = find(state.db.conn(), id).await?.into();
    space.image = super::image::image_views(state, &[id]).await?.remove(&id);
    Ok(space)
}

/// Spaces matching `filter`, by name (anyone may search).
pub async fn list(
    state: &AppState,
    filter: SpaceFilter,
) -> Result<page::Page<SpaceView>, BookingError> {
    let limit = page::limit(filter.limit)?;
    let after: Option<(String, Uuid)> = page::decode_cursor(filter.cursor.as_deref())?;
    let free = free_range(&filter, state.settings.time_zone)?;
    let mut query = spaces::Entity::find();
    if let Some(min) = filter.capacity_min {
        query = query.filter(spaces::Column::Capacity.gte(i64::from(min)));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(spaces::Column::Kind.eq(kind.as_str()));
    }
    if let Some(building) = &filter.building {
        query = query.filter(spaces::Column::Building.eq(building.trim()));
    }
    match filter.status {
        Some(status) => query = query.filter(spaces::Column::Status.eq(status.as_str())),
        None => query = query.filter(spaces::Column::Status.ne(SpaceStatus::Retired.as_str())),
    }
    if let Some((name, id)) = &after {
        query = query.filter(
            Condition::any()
                .add(spaces::Column::Name.gt(name.clone()))
                .add(
                    spaces::Column::Name
                        .eq(name.clone())
                        .and(spaces::Column::Id.gt(*id)),
                ),
        );
    }
    let mut v = Violations::new();
    let equipment: Vec<Equipment> = codes_of(&mut v, "equipment", &filter.equipment);
    let accessibility: Vec<Accessibility> =
        codes_of(&mut v, "accessibility", &filter.accessibility);
    v.finish()?;
    let words = Words::parse(filter.q.as_deref().unwrap_or(""));
    let needs_scan =
        !equipment.is_empty() || !accessibility.is_empty() || !words.is_empty() || free.is_some();
    let mut query = query
        .order_by_asc(spaces::Column::Name)
        .order_by_asc(spaces::Column::Id);
    if !needs_scan {
        query = query.limit(limit + 1);
    }
    let conn = state.db.conn();
    let candidates = query.all(conn).await?;
    let tree = if free.is_some() {
        SpaceTree::load(conn).await?
    } else {
        SpaceTree::default()
    };
    let mut rows = Vec::new();
    for space in candidates {
        let has_equipment: Vec<Equipment> = stored_codes(&space.equipment);
        let has_accessibility: Vec<Accessibility> = stored_codes(&space.accessibility);
        if !equipment.iter().all(|e| has_equipment.contains(e))
            || !accessibility.iter().all(|a| has_accessibility.contains(a))
            || !words.match_space(
                &[&space.name, &space.building, &space.address],
                &has_equipment,
                &has_accessibility,
            )
        {
            continue;
        }
        if let Some((from, to)) = free {
            if !space.is_open() {
                continue;
            }
            let zone = space.zone(state.settings.time_zone);
            let plan = opening::plan(conn, &space, zone, from, to).await?;
            if !plan.covers(zone, from, to) {
                continue;
            }
            if !find_conflicts(conn, &tree, &space, &[(from, to)], &Default::default())
                .await?
                .is_empty()
            {
                continue;
            }
        }
        rows.push(space);
        if rows.len() as u64 > limit {
            break;
        }
    }
    let mut found = page::page(rows, limit, |s| (s.name.clone(), s.id), SpaceView::from);
    found.items = super::with_images(state, found.items).await?;
    Ok(found)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// RFC 3339 instant or `YYYY-MM-DD`.
    pub from: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (that whole day included).
    pub to: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FreeSlot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Availability {
    pub space_id: Uuid,
    pub free: Vec<FreeSlot>,
}

/// Longest range one availability request may cover.
const MAX_AVAILABILITY_DAYS: i64 = 400;

/// When the space `id` is free within a range (anyone may ask).
pub async fn availability(
    state: &AppState,
    id: Uuid,
    range: RangeQuery,
) -> Result<Availability, BookingError> {
    let space = find(state.db.conn(), id).await?;
    let zone = space.zone(state.settings.time_zone);
    let mut v = Violations::new();
    let from = v.take("from", parse_bound(&range.from, zone, Bound::Start));
    let to = v.take("to", parse_bound(&range.to, zone, Bound::End));
    let (from, to) = range::checked(v, from, to, MAX_AVAILABILITY_DAYS)?;
    let free = free_slots(state, &space, zone, from, to).await?;
    Ok(Availability {
        space_id: id,
        free: free
            .into_iter()
            .map(|(s, e)| FreeSlot {
                starts_at: s,
                ends_at: e,
            })
            .collect(),
    })
}

/// Free intervals of `space` within `[from, to)`.
pub async fn free_slots(
    state: &AppState,
    space: &spaces::Model,
    zone: chrono_tz::Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Interval>, BookingError> {
    if !space.is_open() {
        return Ok(Vec::new());
    }
    // Two independent reads on two pooled connections: the request waits for one round trip.
    let (plan, busy) = tokio::try_join!(
        opening::plan(state.db.conn(), space, zone, from, to),
        busy::busy(state.db.conn(), space.id, from, to),
    )?;
    let windows = plan.open_between(zone, from, to);
    // A new booking needs its own buffers around it too, so a free slot shrinks by them: what is
    // listed here can be booked as it is.
    let setup = Duration::minutes(i64::from(space.setup_minutes));
    let teardown = Duration::minutes(i64::from(space.teardown_minutes));
    let busy: Vec<Interval> = busy
        .into_iter()
        .map(|(s, e)| (s - teardown, e + setup))
        .collect();
    Ok(subtract(windows, busy))
}
