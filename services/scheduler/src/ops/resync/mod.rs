//! Resyncs, both ways.
//!
//! Asking: the scheduler's read model of the operators' bookings ([`crate::db::booked`]) is
//! filled from booking's messages. On a database where it is empty — a new installation, or the
//! first start after the upgrade that added it, when booking already holds bookings the
//! scheduler never heard of — the scheduler asks booking once per start for the bookings that
//! hold their slots (`piazza.resync.requested`), and applies the snapshots that come back like
//! any booking message. With no bookings anywhere the answer is empty and costs one message.
//!
//! Answering: a reader that is new or lost its data (the monitoring) asks the scheduler for what
//! it owns ([`requested`]): events and registrations come back as snapshots ([`events`]),
//! seasons, pathways, co-design tables and ideas as their ordinary messages sent again
//! ([`activity`]), which only the monitoring reads and applies idempotently. Everything goes
//! through the outbox in the transaction that records the request, read a page at a time.

mod activity;
mod events;

use crate::{db::booked, state::AppState};
use piazza_shared::{
    bus::HandleError,
    contracts::resync::{
        BOOKINGS, EVENTS, IDEAS, PATHWAYS, REGISTRATIONS, ResyncRequested, SEASONS, TABLES,
    },
};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

/// Asks booking for its live bookings when the read model holds none; says whether it asked.
pub async fn ask_if_empty(state: &AppState) -> anyhow::Result<bool> {
    // One row is enough to know: a count would read the whole table at every start.
    if booked::Entity::find().one(state.db.conn()).await?.is_some() {
        return Ok(false);
    }
    let unit = state.begin().await?;
    unit.publish(
        &ResyncRequested {
            version: 1,
            requester: crate::NAME.into(),
            what: vec![BOOKINGS.into()],
        },
        None,
    )
    .await?;
    unit.commit().await?;
    tracing::info!("the read model of bookings is empty: asked booking for a resync");
    Ok(true)
}

/// Answers a resync for whatever of the scheduler's the request names; the rest (`bookings`,
/// `holds`) is booking's to answer.
pub async fn requested(
    state: &AppState,
    txn: &DatabaseTransaction,
    request: &ResyncRequested,
) -> Result<(), HandleError> {
    let asks = |what: &str| request.what.iter().any(|w| w == what);
    let mut sent = 0_usize;
    if asks(EVENTS) {
        sent += events::events(state, txn).await?;
    }
    if asks(REGISTRATIONS) {
        sent += events::registrations(state, txn).await?;
    }
    if asks(SEASONS) {
        sent += activity::seasons(state, txn).await?;
    }
    if asks(PATHWAYS) {
        sent += activity::pathways(state, txn).await?;
    }
    if asks(TABLES) {
        sent += activity::tables(state, txn).await?;
    }
    if asks(IDEAS) {
        sent += activity::ideas(state, txn).await?;
    }
    if sent > 0 {
        tracing::info!(requester = %request.requester, what = ?request.what, messages = sent, "answered a resync");
    }
    Ok(())
}

/// Rows read at a time: an installation's years of events and registrations are never loaded
/// at once.
const PAGE: u64 = 200;

/// The page of `query` after the id `after`, by id.
async fn page<E>(
    txn: &DatabaseTransaction,
    query: Select<E>,
    id: E::Column,
    after: Option<Uuid>,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
{
    let query = match after {
        Some(after) => query.filter(id.gt(after)),
        None => query,
    };
    query.order_by_asc(id).limit(PAGE).all(txn).await
}

/// Whether `rows` was the last page.
fn last<T>(rows: &[T]) -> bool {
    (rows.len() as u64) < PAGE
}
