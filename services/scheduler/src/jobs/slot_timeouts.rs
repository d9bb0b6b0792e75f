//! Events whose slot request booking has not answered in time are marked with the reason, so
//! none stays pending for ever: the space becomes `unavailable`, and an event not yet public
//! becomes `needs_space` (a published one stays published, its space flagged). A late answer
//! still applies afterwards.

use crate::{
    db::events,
    domain::{EventStatus, SpaceStatus},
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
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
        if let Err(error) = expire(&state, piazza_shared::clock::now()).await {
            tracing::warn!(%error, "could not check slot requests for timeouts");
        }
    }
}

/// Slot requests booking has not answered yet (`piazza_slot_requests_waiting`, read when
/// `/metrics` is scraped): a count that stays up means booking does not consume.
pub async fn waiting(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    events::Entity::find()
        .filter(events::Column::SpaceStatus.eq(SpaceStatus::Pending.as_str()))
        .filter(events::Column::SpaceReason.is_null())
        .filter(events::Column::SlotRequestedAt.is_not_null())
        .count(state.db.conn())
        .await
}

/// Marks the requests overdue at `now`; returns how many.
pub async fn expire(state: &AppState, now: DateTime<Utc>) -> Result<u64, sea_orm::DbErr> {
    let timeout = i64::try_from(state.settings.scheduler.slot_timeout_seconds).unwrap_or(i64::MAX);
    let deadline = now - Duration::seconds(timeout);
    let reason =
        format!("booking did not answer within {timeout} s; ask again or pick another space");
    let txn = state.begin().await?;
    let mut total = 0;
    for (statuses, becomes) in [
        (
            vec![
                EventStatus::Draft,
                EventStatus::Proposed,
                EventStatus::Scheduled,
                EventStatus::NeedsSpace,
            ],
            Some(EventStatus::NeedsSpace),
        ),
        (vec![EventStatus::Published], None),
    ] {
        let mut update = events::Entity::update_many()
            .col_expr(
                events::Column::SpaceStatus,
                Expr::value(SpaceStatus::Unavailable.as_str()),
            )
            .col_expr(events::Column::SpaceReason, Expr::value(reason.clone()))
            .col_expr(events::Column::UpdatedAt, Expr::value(now))
            .filter(events::Column::SpaceStatus.eq(SpaceStatus::Pending.as_str()))
            // Held-as-requested events wait for a human, not for the bus.
            .filter(events::Column::SpaceReason.is_null())
            .filter(events::Column::SlotRequestedAt.lt(deadline))
            .filter(events::Column::Status.is_in(statuses.iter().map(|s| s.as_str())));
        if let Some(status) = becomes {
            update = update.col_expr(events::Column::Status, Expr::value(status.as_str()));
        }
        total += update.exec(&*txn).await?.rows_affected;
    }
    txn.commit().await?;
    if total > 0 {
        tracing::warn!(events = total, "slot requests timed out");
    }
    Ok(total)
}
