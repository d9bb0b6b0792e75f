//! Placing bookings: the check and the insert that keep slots from overlapping.
//!
//! Inside the caller's write transaction, the space tree lock is taken shared
//! ([`crate::tree_lock`]: no space is added, moved or re-buffered and no closure added until the
//! transaction ends), then every requested slot is checked against the holds of the space and of
//! every space inside it, and against closures of the space, its ancestors and descendants. Then
//! each booking row is written with one hold per space it occupies, stretched by the space's
//! setup and teardown buffers. On PostgreSQL the exclusion constraint on `holds` refuses any
//! overlap a concurrent booking slipped in; on SQLite the write transaction is serialised, so
//! the check cannot be interleaved.

use crate::{
    db::{bookings, closures, holds, spaces},
    domain::BookingStatus,
    tree::SpaceTree,
    tree_lock,
};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{bus::outbox, db::is_exclusion_violation, envelope::Envelope};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, Set, Statement, Value,
};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A slot that cannot be held, and what is in the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Conflict {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// The booking in the way, when it is one (and the caller may know it: see
    /// [`Conflict::seen_by`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<Uuid>,
    /// Whose booking is in the way (never sent: it decides whether `booking_id` is).
    #[serde(skip)]
    pub organisation_id: Option<Uuid>,
    /// The space where the clash is (the booked space or one inside or around it).
    pub space_id: Uuid,
}

impl Conflict {
    /// The conflict as `org` may see it: another organisation's booking id is left out (its
    /// time and status are what the caller needs); `None` (an administrator) sees every id.
    pub fn seen_by(mut self, org: Option<Uuid>, admin: bool) -> Self {
        if !admin && self.organisation_id.is_none_or(|owner| Some(owner) != org) {
            self.booking_id = None;
        }
        self
    }
}

/// What to place.
#[derive(Debug, Clone)]
pub struct Request {
    pub space: spaces::Model,
    pub slots: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub title: String,
    pub attendees: i32,
    pub status: BookingStatus,
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    pub requested_by: Option<Uuid>,
    pub contact_email: Option<String>,
    pub event_id: Option<Uuid>,
    /// Book the free slots and report the others, instead of refusing all.
    pub skip_conflicts: bool,
}

#[derive(Debug)]
pub struct Placed {
    pub bookings: Vec<bookings::Model>,
    pub skipped: Vec<Conflict>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error("{} slot(s) conflict", .0.len())]
    Conflicts(Vec<Conflict>),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The time a booking of `space` occupies: its slot plus setup before and teardown after.
pub fn occupied(
    space: &spaces::Model,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start - Duration::minutes(i64::from(space.setup_minutes)),
        end + Duration::minutes(i64::from(space.teardown_minutes)),
    )
}

fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Finds what stands in the way of each slot.
pub async fn find_conflicts(
    conn: &impl ConnectionTrait,
    tree: &SpaceTree,
    space: &spaces::Model,
    slots: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<Vec<Conflict>, DbErr> {
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let held = tree.held_by(space.id);
    let related = tree.related(space.id);
    let occupied_slots: Vec<_> = slots.iter().map(|&(s, e)| occupied(space, s, e)).collect();
    let span_start = occupied_slots.iter().map(|o| o.0).min().unwrap_or_default();
    let span_end = occupied_slots.iter().map(|o| o.1).max().unwrap_or_default();

    let existing = holds::Entity::find()
        .filter(holds::Column::SpaceId.is_in(held.clone()))
        .filter(holds::Column::StartsAt.lt(span_end))
        .filter(holds::Column::EndsAt.gt(span_start))
        .all(conn)
        .await?;
    let closed = closures::Entity::find()
        .filter(closures::Column::SpaceId.is_in(related))
        .filter(closures::Column::StartsAt.lt(span_end))
        .filter(closures::Column::EndsAt.gt(span_start))
        .all(conn)
        .await?;
    let statuses: HashMap<Uuid, (String, Option<Uuid>)> = if existing.is_empty() {
        HashMap::new()
    } else {
        let ids: Vec<Uuid> = existing.iter().map(|h| h.booking_id).collect();
        bookings::Entity::find()
            .filter(bookings::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|b| (b.id, (b.status, b.organisation_id)))
            .collect()
    };

    let mut conflicts = Vec::new();
    for (i, (&(start, end), &occupied)) in slots.iter().zip(&occupied_slots).enumerate() {
        let mut found: Option<Conflict> = None;
        if let Some(c) = closed
            .iter()
            .find(|c| overlaps(occupied, (c.starts_at, c.ends_at)))
        {
            found = Some(Conflict {
                starts_at: start,
                ends_at: end,
                reason: format!("closed: {}", c.reason),
                booking_id: None,
                organisation_id: None,
                space_id: c.space_id,
            });
        } else if let Some(h) = existing
            .iter()
            .find(|h| overlaps(occupied, (h.starts_at, h.ends_at)))
        {
            let (status, owner) = statuses
                .get(&h.booking_id)
                .map(|(s, o)| (s.as_str(), *o))
                .unwrap_or(("held", None));
            found = Some(Conflict {
                starts_at: start,
                ends_at: end,
                reason: format!(
                    "overlaps {} {status} booking",
                    if status.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    }
                ),
                booking_id: Some(h.booking_id),
                organisation_id: owner,
                space_id: h.space_id,
            });
        } else if let Some(j) = occupied_slots[..i]
            .iter()
            .position(|o| overlaps(occupied, *o))
        {
            found = Some(Conflict {
                starts_at: start,
                ends_at: end,
                reason: format!("overlaps occurrence {} of the same request", j + 1),
                booking_id: None,
                organisation_id: None,
                space_id: space.id,
            });
        }
        conflicts.extend(found);
    }
    Ok(conflicts)
}

/// The booking row `request` makes for one slot (not yet written).
pub fn new_row(
    request: &Request,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    series_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> bookings::Model {
    bookings::Model {
        id: Uuid::now_v7(),
        series_id,
        space_id: request.space.id,
        organisation_id: request.organisation_id,
        organisation_name: request.organisation_name.clone(),
        requested_by: request.requested_by,
        contact_email: request.contact_email.clone(),
        title: request.title.clone(),
        attendees: request.attendees,
        starts_at: start,
        ends_at: end,
        status: request.status.as_str().to_string(),
        reason: None,
        event_id: request.event_id,
        created_at: now,
        updated_at: now,
    }
}

/// One statement that writes a single booking, its holds (the space and every space inside
/// it, found by walking `parent_id` down) and its outbox message, unless a closure of the
/// space, an ancestor or a descendant meets the occupied time. Overlapping holds are refused
/// by the exclusion constraint. `$1` space, `$2..$13` the booking, `$14..$15` the occupied
/// time, `$16..$19` the outbox row.
const PLACE_AT_ONCE: &str = "WITH RECURSIVE inside(id) AS (
        SELECT $1::uuid
      UNION
        SELECT s.id FROM spaces s JOIN inside i ON s.parent_id = i.id
    ), around(id) AS (
        SELECT parent_id FROM spaces WHERE id = $1 AND parent_id IS NOT NULL
      UNION
        SELECT s.parent_id FROM spaces s JOIN around a ON s.id = a.id WHERE s.parent_id IS NOT NULL
    ), booking AS (
        INSERT INTO bookings (id, series_id, space_id, organisation_id, organisation_name,
            requested_by, contact_email, title, attendees, starts_at, ends_at, status, reason,
            event_id, created_at, updated_at)
        SELECT $2::uuid, NULL, $1::uuid, $3::uuid, $4::text, $5::uuid, $6::text, $7::text,
            $8::integer, $9::timestamptz, $10::timestamptz, $11::text, NULL, $12::uuid,
            $13::timestamptz, $13::timestamptz
        WHERE NOT EXISTS (
            SELECT 1 FROM closures
            WHERE space_id = ANY (ARRAY(SELECT id FROM inside UNION SELECT id FROM around))
              AND starts_at < $15 AND ends_at > $14)
        RETURNING id
    ), held AS (
        INSERT INTO holds (booking_id, space_id, starts_at, ends_at)
        SELECT booking.id, inside.id, $14::timestamptz, $15::timestamptz
        FROM booking CROSS JOIN inside
    ), message AS (
        INSERT INTO outbox (";

/// PostgreSQL only: writes `row` (one slot of `request`), its holds and `envelope`'s outbox
/// row in one statement, after taking the tree lock shared; `conn` must be a transaction (the
/// lock lasts until it ends, and the statement's snapshot is taken after the lock). `None` when anything
/// is in the way (a closure, an overlapping hold): the caller then runs [`place`], which names
/// what is in the way. Quotas are not checked here; callers with a quota use [`place`].
pub async fn place_at_once(
    conn: &impl ConnectionTrait,
    request: &Request,
    row: &bookings::Model,
    envelope: &Envelope,
) -> Result<bool, DbErr> {
    tree_lock::share(conn).await?;
    // The buffers as they are now that no tree change can run (the caller read the space
    // before the lock).
    let space = current(conn, &request.space).await?;
    let (from, to) = occupied(&space, row.starts_at, row.ends_at);
    let sql = format!(
        "{PLACE_AT_ONCE}{}) SELECT $16::uuid, $17::text, $18::text, $19::timestamptz FROM booking
        ) SELECT count(*) AS placed FROM booking",
        outbox::COLUMNS
    );
    let mut values: Vec<Value> = vec![
        row.space_id.into(),
        row.id.into(),
        row.organisation_id.into(),
        row.organisation_name.clone().into(),
        row.requested_by.into(),
        row.contact_email.clone().into(),
        row.title.clone().into(),
        row.attendees.into(),
        row.starts_at.into(),
        row.ends_at.into(),
        row.status.clone().into(),
        row.event_id.into(),
        row.created_at.into(),
        from.into(),
        to.into(),
    ];
    values.extend(outbox::row_values(envelope));
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, sql, values);
    match conn.query_one(statement).await {
        Ok(Some(result)) => Ok(result.try_get::<i64>("", "placed")? == 1),
        Ok(None) => Ok(false),
        Err(error) if is_exclusion_violation(&error) => Ok(false),
        Err(error) => Err(error),
    }
}

/// `space` read again (under the tree lock, its buffers cannot change any more).
async fn current(
    conn: &impl ConnectionTrait,
    space: &spaces::Model,
) -> Result<spaces::Model, DbErr> {
    Ok(spaces::Entity::find_by_id(space.id)
        .one(conn)
        .await?
        .unwrap_or_else(|| space.clone()))
}

/// Checks and writes the bookings of `request` in the caller's transaction.
pub async fn place(
    conn: &impl ConnectionTrait,
    mut request: Request,
) -> Result<Placed, PlaceError> {
    // The tree, the buffers and the closures stay as read until the transaction ends.
    tree_lock::share(conn).await?;
    request.space = current(conn, &request.space).await?;
    let tree = SpaceTree::load(conn).await?;
    let conflicts = find_conflicts(conn, &tree, &request.space, &request.slots).await?;
    if !conflicts.is_empty() && !request.skip_conflicts {
        return Err(PlaceError::Conflicts(conflicts));
    }
    let blocked: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        conflicts.iter().map(|c| (c.starts_at, c.ends_at)).collect();
    let free: Vec<_> = request
        .slots
        .iter()
        .copied()
        .filter(|slot| !blocked.contains(slot))
        .collect();
    if free.is_empty() {
        return Err(PlaceError::Conflicts(conflicts));
    }
    let now = piazza_shared::clock::now();
    let series_id = (request.slots.len() > 1).then(Uuid::now_v7);
    let held_spaces = tree.held_by(request.space.id);
    let mut rows = Vec::with_capacity(free.len());
    let mut hold_rows = Vec::with_capacity(free.len() * held_spaces.len());
    for (start, end) in free {
        let row = new_row(&request, start, end, series_id, now);
        let id = row.id;
        rows.push(row);
        let (from, to) = occupied(&request.space, start, end);
        for &space_id in &held_spaces {
            hold_rows.push(holds::ActiveModel {
                booking_id: Set(id),
                space_id: Set(space_id),
                starts_at: Set(from),
                ends_at: Set(to),
                ..Default::default()
            });
        }
    }
    let active: Vec<bookings::ActiveModel> = rows.iter().cloned().map(Into::into).collect();
    bookings::Entity::insert_many(active)
        .exec_without_returning(conn)
        .await?;
    let inserted = holds::Entity::insert_many(hold_rows)
        .exec_without_returning(conn)
        .await;
    if let Err(error) = inserted {
        if is_exclusion_violation(&error) {
            // A concurrent transaction committed an overlapping hold after our check.
            let conflicts = rows
                .iter()
                .map(|b| Conflict {
                    starts_at: b.starts_at,
                    ends_at: b.ends_at,
                    reason: "taken by a booking made at the same moment".into(),
                    booking_id: None,
                    organisation_id: None,
                    space_id: request.space.id,
                })
                .collect();
            return Err(PlaceError::Conflicts(conflicts));
        }
        return Err(error.into());
    }
    Ok(Placed {
        bookings: rows,
        skipped: conflicts,
    })
}

/// Frees the slots of bookings that no longer hold them (rejected, cancelled).
pub async fn release(conn: &impl ConnectionTrait, booking_ids: Vec<Uuid>) -> Result<(), DbErr> {
    if booking_ids.is_empty() {
        return Ok(());
    }
    holds::Entity::delete_many()
        .filter(holds::Column::BookingId.is_in(booking_ids))
        .exec(conn)
        .await?;
    Ok(())
}
