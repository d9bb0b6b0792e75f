//! Holds that follow the tree. A live booking holds its space and every space inside it, each
//! for its slot stretched by its space's buffers. When the tree or the buffers change — a space
//! added under a booked one, a space moved, new setup or teardown minutes — the holds of the live
//! bookings concerned are written again from the tree as it now is, in the same transaction
//! (under the exclusive [`super::tree_lock`]). If the new holds would overlap each other, or meet
//! a closure of the space, an ancestor or a descendant, the change is refused instead.

use super::{bookings, closures, holds, holds::occupied, spaces, tree::SpaceTree};
use crate::domain::BookingStatus;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Rows per multi-row insert (four values each; SQLite allows 32,766, PostgreSQL 65,535).
const CHUNK: usize = 2000;

/// What a tree change would break: a live booking and what it would meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clash {
    pub booking_id: Uuid,
    pub space_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// The other live booking, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_booking_id: Option<Uuid>,
    /// The closure, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closure_id: Option<Uuid>,
}

/// The live bookings whose holds a change of `space` can alter: those of the space, of every
/// space inside it, and of every space above it in `before` and in `after`.
pub async fn concerned(
    conn: &impl ConnectionTrait,
    before: &SpaceTree,
    after: &SpaceTree,
    space: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    let mut spaces = after.held_by(space);
    spaces.extend(before.held_by(space));
    spaces.extend(before.ancestors(space));
    spaces.extend(after.ancestors(space));
    spaces.sort();
    spaces.dedup();
    let mut ids = Vec::new();
    for chunk in spaces.chunks(CHUNK) {
        let found: Vec<Uuid> = bookings::Entity::find()
            .filter(bookings::Column::SpaceId.is_in(chunk.to_vec()))
            .filter(bookings::Column::Status.is_in(BookingStatus::live_names()))
            // An event in its organisation's own booking holds nothing of its own.
            .filter(bookings::Column::UsesBookingId.is_null())
            .all(conn)
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect();
        ids.extend(found);
    }
    Ok(ids)
}

type Hold = (Uuid, Uuid, DateTime<Utc>, DateTime<Utc>);

/// Per space, the live bookings it concerns (their own, above or inside) and their time.
type Related = BTreeMap<Uuid, Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)>>;

/// Writes again the holds of `booking_ids` (the live ones) from the tree and buffers as they are
/// now in the transaction. Returns what would clash, writing nothing, when anything would; an
/// empty list when the holds are written.
pub async fn rewrite(
    conn: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<Clash>, DbErr> {
    if booking_ids.is_empty() {
        return Ok(Vec::new());
    }
    let tree = SpaceTree::load(conn).await?;
    let mut live_bookings = Vec::new();
    for chunk in booking_ids.chunks(CHUNK) {
        live_bookings.extend(
            bookings::Entity::find()
                .filter(bookings::Column::Id.is_in(chunk.to_vec()))
                .filter(bookings::Column::Status.is_in(BookingStatus::live_names()))
                .filter(bookings::Column::UsesBookingId.is_null())
                .all(conn)
                .await?,
        );
    }
    let mut space_ids: Vec<Uuid> = live_bookings.iter().map(|b| b.space_id).collect();
    space_ids.sort();
    space_ids.dedup();
    let space_rows: HashMap<Uuid, spaces::Model> = spaces::Entity::find()
        .filter(spaces::Column::Id.is_in(space_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();

    // What each booking should hold now.
    let mut wanted: Vec<Hold> = Vec::new();
    let mut related: Related = BTreeMap::new();
    for booking in &live_bookings {
        let Some(space) = space_rows.get(&booking.space_id) else {
            continue;
        };
        let (from, to) = occupied(space, booking.starts_at, booking.ends_at);
        for held in tree.held_by(space.id) {
            wanted.push((booking.id, held, from, to));
        }
        for near in tree.related(space.id) {
            related
                .entry(near)
                .or_default()
                .push((booking.id, from, to));
        }
    }
    let ids: Vec<Uuid> = live_bookings.iter().map(|b| b.id).collect();
    for chunk in booking_ids.chunks(CHUNK) {
        holds::Entity::delete_many()
            .filter(holds::Column::BookingId.is_in(chunk.to_vec()))
            .exec(conn)
            .await?;
    }
    let (Some(span_start), Some(span_end)) = (
        wanted.iter().map(|h| h.2).min(),
        wanted.iter().map(|h| h.3).max(),
    ) else {
        return Ok(Vec::new());
    };

    let mut clashes = closures_in_the_way(conn, &related, span_start, span_end).await?;
    clashes.extend(overlaps(conn, &wanted, span_start, span_end).await?);
    if !clashes.is_empty() {
        clashes.sort_by_key(|c| (c.starts_at, c.booking_id));
        clashes.dedup_by_key(|c| c.booking_id);
        return Ok(clashes);
    }
    for chunk in wanted.chunks(CHUNK) {
        holds::Entity::insert_many(chunk.iter().map(|&(booking, space, from, to)| {
            holds::ActiveModel {
                booking_id: Set(booking),
                space_id: Set(space),
                starts_at: Set(from),
                ends_at: Set(to),
                ..Default::default()
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    tracing::debug!(
        bookings = ids.len(),
        holds = wanted.len(),
        "holds rewritten"
    );
    Ok(Vec::new())
}

/// Closures of a space related to a booking's (itself, above, inside) meeting its time.
async fn closures_in_the_way(
    conn: &impl ConnectionTrait,
    related: &Related,
    span_start: DateTime<Utc>,
    span_end: DateTime<Utc>,
) -> Result<Vec<Clash>, DbErr> {
    let spaces: Vec<Uuid> = related.keys().copied().collect();
    let mut clashes = Vec::new();
    for chunk in spaces.chunks(CHUNK) {
        let rows = closures::Entity::find()
            .filter(closures::Column::SpaceId.is_in(chunk.to_vec()))
            .filter(closures::Column::StartsAt.lt(span_end))
            .filter(closures::Column::EndsAt.gt(span_start))
            .all(conn)
            .await?;
        for closure in rows {
            for &(booking, from, to) in related.get(&closure.space_id).into_iter().flatten() {
                if from < closure.ends_at && closure.starts_at < to {
                    clashes.push(Clash {
                        booking_id: booking,
                        space_id: closure.space_id,
                        starts_at: from,
                        ends_at: to,
                        reason: format!("the space is closed then: {}", closure.reason),
                        other_booking_id: None,
                        closure_id: Some(closure.id),
                    });
                }
            }
        }
    }
    Ok(clashes)
}

/// Where the wanted holds would overlap each other or the holds already there.
async fn overlaps(
    conn: &impl ConnectionTrait,
    wanted: &[Hold],
    span_start: DateTime<Utc>,
    span_end: DateTime<Utc>,
) -> Result<Vec<Clash>, DbErr> {
    let mut by_space: BTreeMap<Uuid, Vec<Hold>> = BTreeMap::new();
    for &hold in wanted {
        by_space.entry(hold.1).or_default().push(hold);
    }
    let spaces: Vec<Uuid> = by_space.keys().copied().collect();
    for chunk in spaces.chunks(CHUNK) {
        let existing = holds::Entity::find()
            .filter(holds::Column::SpaceId.is_in(chunk.to_vec()))
            .filter(holds::Column::StartsAt.lt(span_end))
            .filter(holds::Column::EndsAt.gt(span_start))
            .all(conn)
            .await?;
        for h in existing {
            by_space.entry(h.space_id).or_default().push((
                h.booking_id,
                h.space_id,
                h.starts_at,
                h.ends_at,
            ));
        }
    }
    let mut clashes = Vec::new();
    for (space, mut list) in by_space {
        list.sort_by_key(|h| (h.2, h.3));
        // The hold reaching furthest so far: any later start before its end overlaps it.
        let mut reach: Option<Hold> = None;
        for hold in list {
            if let Some(before) = reach
                && hold.2 < before.3
                && hold.0 != before.0
            {
                clashes.push(Clash {
                    booking_id: hold.0,
                    space_id: space,
                    starts_at: hold.2,
                    ends_at: hold.3,
                    reason: "would overlap another live booking".into(),
                    other_booking_id: Some(before.0),
                    closure_id: None,
                });
            }
            if reach.is_none_or(|r| hold.3 > r.3) {
                reach = Some(hold);
            }
        }
    }
    Ok(clashes)
}
