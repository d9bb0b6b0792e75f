//! Writing a round's outcomes back: sent, given back untried, retried later, given up, or of
//! unknown outcome. Only rows still claimed by the round's sender change, except that an email
//! sent is marked sent whoever holds its row now.

use super::outcome::Outcome;
use crate::{
    db::{deliveries, suppressions},
    domain::DeliveryState,
    email::SendError,
    state::AppState,
};
use chrono::{Duration, Utc};
use piazza_shared::runtime::backoff;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

/// Marks the deliveries `ids` sent at `now`, counting the attempt.
pub(super) async fn set_sent(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in ids.chunks(1000) {
        deliveries::Entity::update_many()
            .col_expr(
                deliveries::Column::State,
                Expr::value(DeliveryState::Sent.as_str()),
            )
            .col_expr(
                deliveries::Column::SenderId,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(deliveries::Column::SentAt, Expr::value(Some(now)))
            .col_expr(
                deliveries::Column::Attempts,
                Expr::col(deliveries::Column::Attempts).add(1),
            )
            .filter(deliveries::Column::Id.is_in(chunk.iter().copied()))
            .exec(conn)
            .await?;
    }
    Ok(())
}

fn outcome_label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Sent | Outcome::Recorded => "sent",
        Outcome::Skipped(_) => "skipped",
        Outcome::Failed(SendError::Temporary(_)) => "temporary_failure",
        Outcome::Failed(SendError::Permanent(_)) => "permanent_failure",
        Outcome::Failed(SendError::Unknown(_)) => "unknown",
        Outcome::Failed(SendError::Unavailable(_)) | Outcome::Deferred => "server_unavailable",
        Outcome::Released => "lease_lost",
    }
}

/// Writes each outcome back: the sent ones in a few statements, the rest one by one (they are
/// few: a round is mostly sent or mostly deferred). Only rows still claimed under `by` change,
/// except that a sent email is marked sent whoever holds it now: it was sent.
pub(super) async fn record(
    state: &AppState,
    by: Uuid,
    outcomes: &[(deliveries::Model, Outcome)],
) -> Result<(), DbErr> {
    let now = piazza_shared::clock::now();
    let max_attempts = i32::try_from(state.settings.email.max_attempts).unwrap_or(i32::MAX);
    let txn = state.db.begin().await?;
    let mut sent: Vec<Uuid> = Vec::new();
    let mut waiting: Vec<Uuid> = Vec::new();
    for (row, outcome) in outcomes {
        match outcome {
            Outcome::Sent => sent.push(row.id),
            Outcome::Failed(SendError::Unavailable(_)) | Outcome::Deferred | Outcome::Released => {
                waiting.push(row.id)
            }
            _ => {}
        }
    }
    set_sent(&*txn, &sent, now).await?;
    // Not tried (the server was away, the round halted, the lease lapsed): back to pending, due
    // at once (the sender itself waits before its next round), without counting an attempt.
    for chunk in waiting.chunks(1000) {
        let untried = Condition::all()
            .add(deliveries::Column::Id.is_in(chunk.iter().copied()))
            .add(deliveries::Column::SenderId.eq(by));
        deliveries::release(&*txn, untried, now).await?;
    }
    for (row, outcome) in outcomes {
        let attempts = row.attempts + 1;
        let (state_value, next, error) = match outcome {
            Outcome::Sent
            | Outcome::Recorded
            | Outcome::Deferred
            | Outcome::Released
            | Outcome::Failed(SendError::Unavailable(_)) => {
                continue;
            }
            Outcome::Skipped(reason) => (DeliveryState::Cancelled, now, reason.clone()),
            Outcome::Failed(SendError::Temporary(e)) if attempts < max_attempts => {
                let delay = backoff(u32::try_from(attempts).unwrap_or(1).saturating_add(2));
                (
                    DeliveryState::Pending,
                    now + Duration::from_std(delay).unwrap_or(Duration::seconds(5)),
                    e.clone(),
                )
            }
            Outcome::Failed(SendError::Temporary(e)) => (DeliveryState::Failed, now, e.clone()),
            Outcome::Failed(SendError::Permanent(e)) => {
                suppress(&*txn, &row.recipient, e).await?;
                (DeliveryState::Failed, now, e.clone())
            }
            Outcome::Failed(SendError::Unknown(e)) => (DeliveryState::Unknown, now, e.clone()),
        };
        match state_value {
            DeliveryState::Failed => {
                tracing::warn!(delivery_id = %row.id, kind = %row.kind, error = %error, "email given up")
            }
            DeliveryState::Unknown => tracing::warn!(
                delivery_id = %row.id,
                kind = %row.kind,
                error = %error,
                "email outcome unknown: the connection broke after its content was sent; not sent again"
            ),
            _ => {}
        }
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value(state_value.as_str()))
            .col_expr(
                deliveries::Column::SenderId,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(next))
            .col_expr(deliveries::Column::LastError, Expr::value(Some(error)))
            .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
            .filter(deliveries::Column::Id.eq(row.id))
            .filter(deliveries::Column::State.eq(DeliveryState::Sending.as_str()))
            .filter(deliveries::Column::SenderId.eq(by))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    // Counted once the outcomes are stored (a retried write counts nothing twice).
    for (row, outcome) in outcomes {
        metrics::counter!(
            "piazza_emails_total",
            "kind" => row.kind.clone(),
            "outcome" => outcome_label(outcome)
        )
        .increment(1);
    }
    Ok(())
}

/// Stops all sending to `email` after a permanent refusal.
async fn suppress(conn: &impl ConnectionTrait, email: &str, reason: &str) -> Result<(), DbErr> {
    suppressions::Entity::insert(suppressions::ActiveModel::from(suppressions::Model {
        email: email.to_string(),
        reason: reason.to_string(),
        at: piazza_shared::clock::now(),
    }))
    .on_conflict(
        OnConflict::column(suppressions::Column::Email)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
