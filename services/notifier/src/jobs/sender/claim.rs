//! Claiming due deliveries for this sender: the rows whose time has come, taken under the
//! sender's current id in one transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two
//! senders never hold the same row.

use super::lease::Lease;
use crate::{db::deliveries, domain::DeliveryState, state::AppState};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType},
};
use uuid::Uuid;

/// Rows claimed per round.
const BATCH: u64 = 500;
/// With a rate limit, a round holds about this many seconds of sending, so a slow sender does
/// not sit on emails another could send.
const ROUND_SECONDS: u64 = 10;

/// Rows claimed under one id of this sender.
pub(super) struct Claim {
    pub(super) by: Uuid,
    pub(super) rows: Vec<deliveries::Model>,
}

/// Rows a round claims: [`BATCH`], or about [`ROUND_SECONDS`] of sending at `rate` per second.
pub(super) fn batch(rate: u32) -> u64 {
    if rate == 0 {
        BATCH
    } else {
        (u64::from(rate) * ROUND_SECONDS).clamp(1, BATCH)
    }
}

pub(super) async fn claim_ahead(state: &AppState, lease: &Lease, size: u64) -> Option<Claim> {
    claim(state, lease, size).await.ok()
}

/// Claims up to `size` due rows under this sender's id: `pending` ones whose time has come (and
/// rows left `sending` by a version that leased by time, once that lease ran out). Nothing while
/// the lease does not hold.
pub(super) async fn claim(state: &AppState, lease: &Lease, size: u64) -> Result<Claim, DbErr> {
    let Some(by) = lease.current() else {
        return Ok(Claim {
            by: Uuid::nil(),
            rows: Vec::new(),
        });
    };
    let now = piazza_shared::clock::now();
    let txn = state.db.begin().await?;
    let mut query = deliveries::Entity::find()
        .filter(deliveries::Column::State.is_in([
            DeliveryState::Pending.as_str(),
            DeliveryState::Sending.as_str(),
        ]))
        .filter(deliveries::Column::SenderId.is_null())
        .filter(deliveries::Column::NextAttemptAt.lte(now))
        .order_by_asc(deliveries::Column::NextAttemptAt)
        .limit(size);
    if state.db.is_postgres() {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&*txn).await?;
    if !rows.is_empty() {
        deliveries::Entity::update_many()
            .col_expr(
                deliveries::Column::State,
                Expr::value(DeliveryState::Sending.as_str()),
            )
            .col_expr(deliveries::Column::SenderId, Expr::value(Some(by)))
            // Moves the claimed rows behind the due ones in the `next_attempt_at` index, so the
            // next claim (the look-ahead, another replica's) does not step over them. Ownership
            // is `sender_id`; this instant only orders.
            .col_expr(
                deliveries::Column::NextAttemptAt,
                Expr::value(piazza_shared::clock::after(lease.duration())),
            )
            .filter(deliveries::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Claim { by, rows })
}
