//! The scheduler's read model of the operators' bookings ([`crate::db::booked`]) is filled from
//! booking's messages. On a database where it is empty — a new installation, or the first start
//! after the upgrade that added it, when booking already holds bookings the scheduler never
//! heard of — the scheduler asks booking once per start for the bookings that hold their slots
//! (`piazza.resync.requested`), and applies the snapshots that come back like any booking
//! message. With no bookings anywhere the answer is empty and costs one message.

use crate::{db::booked, state::AppState};
use piazza_shared::contracts::resync::{BOOKINGS, ResyncRequested};
use sea_orm::EntityTrait;

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
