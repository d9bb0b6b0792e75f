//! The monitoring's facts come from the other services' messages. On a database that holds none
//! — a new installation, or the first start after the upgrade that added the monitoring, when
//! the others already hold bookings, events and registrations it never heard of — it asks every
//! owner once per start for what they hold (`piazza.resync.requested`) and applies the snapshots
//! and messages that come back like any other: only forward, so nothing counts twice. With
//! nothing anywhere the answers are empty.

use crate::{ops::facts, state::AppState};
use piazza_shared::contracts::resync::{
    BOOKINGS, EVENTS, HOLDS, IDEAS, PATHWAYS, REGISTRATIONS, ResyncRequested, SEASONS, TABLES,
};

/// Everything the monitoring counts, as a resync names it.
pub const WHAT: [&str; 8] = [
    BOOKINGS,
    HOLDS,
    EVENTS,
    REGISTRATIONS,
    SEASONS,
    PATHWAYS,
    TABLES,
    IDEAS,
];

/// Asks the owners for what they hold when the monitoring holds no fact; says whether it asked.
pub async fn ask_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if facts::any(state.db.conn()).await? {
        return Ok(false);
    }
    let unit = state.begin().await?;
    unit.publish(
        &ResyncRequested {
            version: 1,
            requester: crate::NAME.into(),
            what: WHAT.iter().map(|w| w.to_string()).collect(),
        },
        None,
    )
    .await?;
    unit.commit().await?;
    tracing::info!("the monitoring holds no fact: asked the other services for a resync");
    Ok(true)
}
