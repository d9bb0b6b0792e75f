//! Answers `piazza.resync.requested`, in the transaction that records the request:
//! - for the operators' bookings ([`BOOKINGS`]): every booking that still holds its slot
//!   (requested or approved, not an event's own hold) goes out again as a
//!   `piazza.booking.snapshot`, one message per booking or per series and state. A read model
//!   that is new or was lost (the scheduler's planner) fills itself from them;
//! - for events' holds ([`HOLDS`]): every approved hold of an event, one snapshot per event and
//!   space with the status `held`, for the monitoring's count of space use (the scheduler's
//!   planner ignores them: it shows the event itself).
//!
//! Nothing treats the snapshots as news. Each snapshot carries its space's funding line.

use super::bookings::summary;
use crate::{
    db::{bookings, spaces},
    domain::BookingStatus,
    state::AppState,
};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        FundingLine,
        resync::{BOOKINGS, BookingSnapshot, HELD, HOLDS, ResyncRequested},
    },
};
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Holds read at a time: an installation's years of events are not loaded at once.
const PAGE: u64 = 500;

pub async fn requested(
    state: &AppState,
    txn: &DatabaseTransaction,
    request: &ResyncRequested,
) -> Result<(), HandleError> {
    let asks = |what: &str| request.what.iter().any(|w| w == what);
    if !asks(BOOKINGS) && !asks(HOLDS) {
        return Ok(());
    }
    let lines = funding_lines(txn).await?;
    if asks(BOOKINGS) {
        operators(state, txn, request, &lines).await?;
    }
    if asks(HOLDS) {
        holds(state, txn, request, &lines).await?;
    }
    Ok(())
}

/// Every space's funding line: few rows, read once for all the snapshots.
async fn funding_lines(
    txn: &DatabaseTransaction,
) -> Result<HashMap<Uuid, Option<FundingLine>>, HandleError> {
    Ok(spaces::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.funding_line()))
        .collect())
}

/// The operators' live bookings.
async fn operators(
    state: &AppState,
    txn: &DatabaseTransaction,
    request: &ResyncRequested,
    lines: &HashMap<Uuid, Option<FundingLine>>,
) -> Result<(), HandleError> {
    let live = [BookingStatus::Requested, BookingStatus::Approved].map(|s| s.as_str());
    let rows = bookings::Entity::find()
        .filter(bookings::Column::Status.is_in(live))
        .filter(bookings::Column::EventId.is_null())
        .order_by_asc(bookings::Column::StartsAt)
        .all(txn)
        .await?;
    // A series goes as one message per state, as its own messages went.
    let mut groups: BTreeMap<(Uuid, String), Vec<bookings::Model>> = BTreeMap::new();
    for row in rows {
        let key = (row.series_id.unwrap_or(row.id), row.status.clone());
        groups.entry(key).or_default().push(row);
    }
    tracing::info!(
        requester = %request.requester,
        snapshots = groups.len(),
        "answering a resync of the bookings"
    );
    for ((_, status), rows) in groups {
        send(state, txn, lines, &rows, status).await?;
    }
    Ok(())
}

/// Events' approved holds, a page at a time by (event, space, id); one snapshot per event and
/// space, as `booking.approved` said them.
async fn holds(
    state: &AppState,
    txn: &DatabaseTransaction,
    request: &ResyncRequested,
    lines: &HashMap<Uuid, Option<FundingLine>>,
) -> Result<(), HandleError> {
    let mut after: Option<(Uuid, Uuid, Uuid)> = None;
    let mut group: Vec<bookings::Model> = Vec::new();
    let mut sent = 0_usize;
    loop {
        let mut query = bookings::Entity::find()
            .filter(bookings::Column::Status.eq(BookingStatus::Approved.as_str()))
            .filter(bookings::Column::EventId.is_not_null());
        if let Some((event, space, id)) = after {
            use bookings::Column::{EventId, Id, SpaceId};
            query = query.filter(
                Condition::any()
                    .add(EventId.gt(event))
                    .add(EventId.eq(event).and(SpaceId.gt(space)))
                    .add(EventId.eq(event).and(SpaceId.eq(space)).and(Id.gt(id))),
            );
        }
        let rows = query
            .order_by_asc(bookings::Column::EventId)
            .order_by_asc(bookings::Column::SpaceId)
            .order_by_asc(bookings::Column::Id)
            .limit(PAGE)
            .all(txn)
            .await?;
        let done = (rows.len() as u64) < PAGE;
        for row in rows {
            let key = (row.event_id.unwrap_or_default(), row.space_id, row.id);
            if group
                .first()
                .is_some_and(|g| (g.event_id, g.space_id) != (row.event_id, row.space_id))
            {
                send(state, txn, lines, &group, HELD.into()).await?;
                sent += 1;
                group.clear();
            }
            group.push(row);
            after = Some(key);
        }
        if done {
            break;
        }
    }
    if !group.is_empty() {
        send(state, txn, lines, &group, HELD.into()).await?;
        sent += 1;
    }
    tracing::info!(requester = %request.requester, snapshots = sent, "answering a resync of the events' holds");
    Ok(())
}

/// One snapshot of `rows` as `status`.
async fn send(
    state: &AppState,
    txn: &DatabaseTransaction,
    lines: &HashMap<Uuid, Option<FundingLine>>,
    rows: &[bookings::Model],
    status: String,
) -> Result<(), HandleError> {
    let funding_line = rows
        .first()
        .and_then(|r| lines.get(&r.space_id).copied().flatten());
    let Some(booking) = summary(rows, funding_line) else {
        return Ok(());
    };
    let snapshot = BookingSnapshot {
        version: 1,
        status,
        booking,
    };
    state.outbox.add(txn, &snapshot, None).await?;
    Ok(())
}
