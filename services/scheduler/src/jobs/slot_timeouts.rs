//! Events whose slot request booking has not answered in time become `needs_space` with the
//! reason, so none stays pending for ever. A late answer still applies afterwards.

use crate::{
    db::events,
    domain::{EventStatus, SpaceStatus},
    state::AppState,
};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use tokio_util::sync::CancellationToken;

/// Looks for overdue requests every few seconds until `shutdown`.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let timeout = state.settings.scheduler.slot_timeout_seconds;
    let every = std::time::Duration::from_secs((timeout / 4).clamp(1, 15));
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        if let Err(error) = expire(&state).await {
            tracing::warn!(%error, "could not check slot requests for timeouts");
        }
    }
}

/// Marks overdue pending requests; returns how many.
pub async fn expire(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    let timeout = i64::try_from(state.settings.scheduler.slot_timeout_seconds).unwrap_or(i64::MAX);
    let deadline = Utc::now() - Duration::seconds(timeout);
    let txn = state.db.begin().await?;
    let result = events::Entity::update_many()
        .col_expr(
            events::Column::SpaceStatus,
            Expr::value(SpaceStatus::Unavailable.as_str()),
        )
        .col_expr(
            events::Column::SpaceReason,
            Expr::value(format!(
                "booking did not answer within {timeout} s; ask again or pick another space"
            )),
        )
        .col_expr(
            events::Column::Status,
            Expr::value(EventStatus::NeedsSpace.as_str()),
        )
        .col_expr(events::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(events::Column::SpaceStatus.eq(SpaceStatus::Pending.as_str()))
        // Held-as-requested events wait for a human, not for the bus.
        .filter(events::Column::SpaceReason.is_null())
        .filter(events::Column::SlotRequestedAt.lt(deadline))
        .filter(
            events::Column::Status
                .is_in([EventStatus::Draft.as_str(), EventStatus::Proposed.as_str()]),
        )
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    if result.rows_affected > 0 {
        tracing::warn!(events = result.rows_affected, "slot requests timed out");
    }
    Ok(result.rows_affected)
}
