//! Answers `piazza.resync.requested` for the operators' bookings: every booking that still holds
//! its slot (requested or approved, not an event's own hold) goes out again as a
//! `piazza.booking.snapshot`, one message per booking or per series and state, in the
//! transaction that records the request. A read model that is new or was lost (the scheduler's
//! planner) fills itself from them; nothing else treats them as news.

use crate::{db::bookings, domain::BookingStatus, ops::bookings::summary, state::AppState};
use piazza_shared::{
    bus::HandleError,
    contracts::resync::{BOOKINGS, BookingSnapshot, ResyncRequested},
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

pub async fn requested(
    state: &AppState,
    txn: &DatabaseTransaction,
    request: &ResyncRequested,
) -> Result<(), HandleError> {
    if !request.what.iter().any(|w| w == BOOKINGS) {
        return Ok(());
    }
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
        let Some(booking) = summary(&rows) else {
            continue;
        };
        let snapshot = BookingSnapshot {
            version: 1,
            status,
            booking,
        };
        state.outbox.add(txn, &snapshot, None).await?;
    }
    Ok(())
}
