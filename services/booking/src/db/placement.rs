//! Placing bookings: the check and the insert that keep slots from overlapping.
//!
//! Inside the caller's write transaction, the space tree lock is taken shared
//! ([`super::tree_lock`]: no space is added, moved or re-buffered and no closure added until the
//! transaction ends), then every requested slot is checked against the holds of the space and of
//! every space inside it, and against closures of the space, its ancestors and descendants. Then
//! each booking row is written with one hold per space it occupies, stretched by the space's
//! setup and teardown buffers. On PostgreSQL the exclusion constraint on `holds` refuses any
//! overlap a concurrent booking slipped in; on SQLite the write transaction is serialised, so
//! the check cannot be interleaved.

use super::{
    bookings,
    conflicts::find_conflicts,
    holds::{self, occupied},
    own, spaces,
    tree::{SpaceTree, walk_sql},
    tree_lock,
};
use crate::domain::{BookingStatus, Conflict, Obstacle};
use chrono::{DateTime, Utc};
use piazza_shared::{bus::outbox, db::is_exclusion_violation, envelope::Envelope};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Set, Statement, Value};
use std::collections::HashMap;
use uuid::Uuid;

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
    /// An event's slots: those an approved booking of the organisation covers use it
    /// ([`own::covering`]) instead of holding the space a second time.
    pub use_own: bool,
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
        uses_booking_id: None,
        created_at: now,
        updated_at: now,
    }
}

/// One statement that writes a single booking, its holds (the space and every space inside
/// it, found by walking `parent_id` down) and its outbox message, unless a closure of the
/// space, an ancestor or a descendant meets the occupied time. Overlapping holds are refused
/// by the exclusion constraint. `$1` space, `$2..$13` the booking, `$14..$15` the occupied
/// time, `$16..$19` the outbox row.
/// The tree is walked by [`walk_sql`].
const PLACE_AT_ONCE: &str = ", booking AS (
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
        "{}{PLACE_AT_ONCE}{}) SELECT $16::uuid, $17::text, $18::text, $19::timestamptz FROM booking
        ) SELECT count(*) AS placed FROM booking",
        walk_sql("$1::uuid"),
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
    match conn.query_one_raw(statement).await {
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
    let covering = match (request.use_own, request.organisation_id) {
        (true, Some(org)) => own::covering(conn, request.space.id, org, &request.slots).await?,
        _ => HashMap::new(),
    };
    let conflicts = find_conflicts(conn, &tree, &request.space, &request.slots, &covering).await?;
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
        let mut row = new_row(&request, start, end, series_id, now);
        let id = row.id;
        row.uses_booking_id = covering.get(&(start, end)).copied();
        let uses_own = row.uses_booking_id.is_some();
        rows.push(row);
        if uses_own {
            // The organisation's booking holds the space already.
            continue;
        }
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
    let inserted = if hold_rows.is_empty() {
        Ok(())
    } else {
        holds::Entity::insert_many(hold_rows)
            .exec_without_returning(conn)
            .await
            .map(|_| ())
    };
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
                    obstacle: Obstacle::Overlap,
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
