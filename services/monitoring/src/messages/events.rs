//! Events: each occurrence of a published event is a fact, kept up to date as the event is
//! updated or rescheduled; a cancelled occurrence (or every occurrence of a cancelled event)
//! ends, for good.

use crate::{
    domain::facts::{self, Cancelled, Kind},
    ops,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        event::{EventCancelled, EventSummary},
        resync::EventSnapshot,
    },
};
use sea_orm::DatabaseTransaction;

/// Published, updated or rescheduled: its occurrences as they stand.
pub async fn published(
    txn: &DatabaseTransaction,
    event: &EventSummary,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    let occurrences = facts::event_occurrences(event, Cancelled::Nothing);
    ops::facts::record(txn, occurrences, time).await?;
    Ok(())
}

pub async fn cancelled(
    txn: &DatabaseTransaction,
    message: &EventCancelled,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    let cancelled = if message.occurrence_ids.is_empty() {
        Cancelled::Whole
    } else {
        Cancelled::Occurrences(&message.occurrence_ids)
    };
    end(txn, &message.event, cancelled, time).await
}

/// The event as the scheduler holds it now.
pub async fn snapshot(
    txn: &DatabaseTransaction,
    snapshot: &EventSnapshot,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    let cancelled = match snapshot.status.as_str() {
        "cancelled" => Cancelled::Whole,
        _ => Cancelled::Occurrences(&snapshot.cancelled_occurrence_ids),
    };
    end(txn, &snapshot.event, cancelled, time).await
}

/// Writes `event`'s occurrences with `cancelled` ended, and ends the cancelled ones it no longer
/// lists.
async fn end(
    txn: &DatabaseTransaction,
    event: &EventSummary,
    cancelled: Cancelled<'_>,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    ops::facts::record(txn, facts::event_occurrences(event, cancelled), time).await?;
    match cancelled {
        Cancelled::Nothing => {}
        Cancelled::Occurrences(ids) => {
            ops::facts::end(txn, Kind::EventOccurrence, ids, time).await?;
        }
        Cancelled::Whole => {
            ops::facts::end_source(txn, Kind::EventOccurrence, event.event_id, time).await?;
        }
    }
    Ok(())
}
