//! The sender: takes due deliveries, composes and sends them concurrently through the shared
//! transport, and records each outcome. A delivery is claimed (state `sending`, with a lease)
//! before its email goes out, so two senders never send the same row; a crash mid-send leaves
//! the lease to expire and the row is tried again.
//!
//! Speed comes from doing per round what could be done per email: one claim, one read of what
//! the round's emails need ([`Round`]), one write of their other outcomes. The emails of a round
//! go out `email.concurrency` at a time over the pooled connections; while they do, the next
//! round is already being claimed, so the connections never wait for the database.
//!
//! An accepted email is marked sent before its slot takes the next one: the slots' accepted
//! emails are marked together, in one statement, as they come. So a crash can leave at most
//! `email.concurrency` emails accepted by the server but not marked, the only ones that may go
//! out twice.

use crate::{
    compose::{Round, compose},
    db::{deliveries, suppressions},
    email::SendError,
    state::AppState,
};
use chrono::{Duration, Utc};
use futures::StreamExt;
use piazza_shared::runtime::backoff;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, OnConflict},
};
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Rows claimed per round.
const BATCH: u64 = 500;
/// How long a claimed row belongs to this sender before another may take it.
const LEASE_MINUTES: i64 = 5;

/// What happened to one delivery.
#[derive(Debug)]
enum Outcome {
    Sent,
    /// Sent, and already marked sent.
    Recorded,
    Skipped(String),
    Failed(SendError),
    /// Not tried: the server was found unavailable earlier in the round.
    Deferred,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RoundReport {
    /// Rows claimed.
    pub handled: usize,
    /// Whether the mail server could not be reached.
    pub unavailable: bool,
}

/// Sends until `shutdown`; finishes the round in hand first.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let mut failures = 0;
    // The next round's rows, claimed while the current round was sending.
    let mut next: Option<Vec<deliveries::Model>> = None;
    loop {
        let claimed = match next.take() {
            Some(rows) => Ok(rows),
            None => claim(&state).await,
        };
        let result = match claimed {
            Ok(rows) if rows.is_empty() => Ok(RoundReport::default()),
            Ok(rows) => {
                // Look ahead only when this round is full: a short round means the queue is dry.
                let look_ahead = rows.len() as u64 == BATCH && !shutdown.is_cancelled();
                let ahead = async {
                    if look_ahead {
                        claim(&state).await.ok()
                    } else {
                        None
                    }
                };
                let (report, ahead) = tokio::join!(deliver(&state, rows), ahead);
                next = ahead.filter(|rows| !rows.is_empty());
                report
            }
            Err(error) => Err(anyhow::Error::new(error)),
        };
        let pause = match result {
            Ok(report) if report.unavailable => {
                failures += 1;
                let delay = backoff(failures);
                tracing::warn!(
                    retry_in_ms = delay.as_millis() as u64,
                    "mail server unavailable; emails wait"
                );
                Some(delay)
            }
            Ok(report) if report.handled == 0 => {
                failures = 0;
                tokio::select! {
                    _ = state.wake_sender.notified() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = shutdown.cancelled() => {}
                }
                None
            }
            Ok(_) => {
                failures = 0;
                None
            }
            Err(error) => {
                failures += 1;
                let delay = backoff(failures);
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "email sender could not read deliveries");
                Some(delay)
            }
        };
        if let Some(delay) = pause {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shutdown.cancelled() => {}
            }
        }
        if shutdown.is_cancelled() {
            if let Some(rows) = next.take() {
                // Claimed but never tried: give them back rather than wait out the lease.
                let _ = release(&state, &rows).await;
            }
            return;
        }
    }
}

/// Claims due rows: `pending` ones whose time has come, and `sending` ones whose lease expired.
async fn claim(state: &AppState) -> Result<Vec<deliveries::Model>, DbErr> {
    let now = piazza_shared::clock::now();
    let txn = state.db.begin().await?;
    let mut query = deliveries::Entity::find()
        .filter(deliveries::Column::State.is_in(["pending", "sending"]))
        .filter(deliveries::Column::NextAttemptAt.lte(now))
        .order_by_asc(deliveries::Column::NextAttemptAt)
        .limit(BATCH);
    if state.db.is_postgres() {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&*txn).await?;
    if !rows.is_empty() {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value("sending"))
            .col_expr(
                deliveries::Column::NextAttemptAt,
                Expr::value(now + Duration::minutes(LEASE_MINUTES)),
            )
            .filter(deliveries::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// Puts claimed rows back as they were, due now.
async fn release(state: &AppState, rows: &[deliveries::Model]) -> Result<(), DbErr> {
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::State, Expr::value("pending"))
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::value(piazza_shared::clock::now()),
        )
        .filter(deliveries::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .filter(deliveries::Column::State.eq("sending"))
        .exec(state.db.conn())
        .await?;
    Ok(())
}

/// One round: claim, send, record. Returns how many rows were handled.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let rows = claim(state).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    Ok(deliver(state, rows).await?.handled)
}

/// Composes, sends and records claimed `rows`.
async fn deliver(state: &AppState, rows: Vec<deliveries::Model>) -> anyhow::Result<RoundReport> {
    let round = Arc::new(Round::load(state, &rows).await?);
    let pacing = pacer(state.settings.email.rate_per_second);
    let concurrency = state.settings.email.concurrency as usize;
    let unavailable = Arc::new(AtomicBool::new(false));
    let any_unavailable = unavailable.clone();
    let (accepted, to_mark) = mpsc::unbounded_channel();
    let sending = futures::stream::iter(rows)
        .map(move |row| {
            let round = round.clone();
            let pacing = pacing.clone();
            let unavailable = unavailable.clone();
            let accepted = accepted.clone();
            async move {
                if unavailable.load(Ordering::Relaxed) {
                    return (row, Outcome::Deferred);
                }
                let outcome = match compose(state, &round, &row) {
                    Ok(Some(email)) => {
                        if let Some(pacing) = &pacing {
                            pacing.lock().await.tick().await;
                        }
                        match email.into_message(&state.from) {
                            Ok(message) => match state.mailer.send(message).await {
                                Ok(()) => marked(&accepted, row.id).await,
                                Err(e) => {
                                    if matches!(e, SendError::Unavailable(_)) {
                                        unavailable.store(true, Ordering::Relaxed);
                                    }
                                    Outcome::Failed(e)
                                }
                            },
                            Err(e) => Outcome::Skipped(format!("could not build the email: {e}")),
                        }
                    }
                    Ok(None) => Outcome::Skipped(
                        "no longer wanted (unsubscribed, cancelled, confirmed or suppressed)"
                            .into(),
                    ),
                    Err(e) => Outcome::Skipped(format!("could not compose: {e:#}")),
                };
                (row, outcome)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>();
    let (outcomes, ()) = tokio::join!(sending, mark_sent(state, to_mark, concurrency.max(1)));
    let report = RoundReport {
        handled: outcomes.len(),
        unavailable: any_unavailable.load(Ordering::Relaxed),
    };
    record(state, outcomes).await?;
    Ok(report)
}

/// An accepted email's delivery, passed to [`mark_sent`]; the answer says whether it was marked.
type Accepted = (Uuid, oneshot::Sender<bool>);

/// Has `id` marked sent and waits for it: `Recorded` once marked, `Sent` (marked with the round's
/// other outcomes) if the write failed.
async fn marked(accepted: &mpsc::UnboundedSender<Accepted>, id: Uuid) -> Outcome {
    let (done, answer) = oneshot::channel();
    if accepted.send((id, done)).is_err() {
        return Outcome::Sent;
    }
    match answer.await {
        Ok(true) => Outcome::Recorded,
        _ => Outcome::Sent,
    }
}

/// Marks accepted emails sent as they come, all those waiting in one statement, until every
/// slot of the round is done.
async fn mark_sent(state: &AppState, mut accepted: mpsc::UnboundedReceiver<Accepted>, most: usize) {
    let mut batch = Vec::with_capacity(most);
    while accepted.recv_many(&mut batch, most).await > 0 {
        let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
        let marked = match set_sent(state.db.conn(), &ids, piazza_shared::clock::now()).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "could not mark emails sent; retried with the round");
                false
            }
        };
        for (_, done) in batch.drain(..) {
            let _ = done.send(marked);
        }
    }
}

/// Marks the deliveries `ids` sent at `now`, counting the attempt.
async fn set_sent(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in ids.chunks(1000) {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value("sent"))
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

fn pacer(rate: u32) -> Option<Arc<Mutex<tokio::time::Interval>>> {
    (rate > 0).then(|| {
        let mut interval =
            tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / f64::from(rate)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Arc::new(Mutex::new(interval))
    })
}

fn outcome_label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Sent | Outcome::Recorded => "sent",
        Outcome::Skipped(_) => "skipped",
        Outcome::Failed(SendError::Temporary(_)) => "temporary_failure",
        Outcome::Failed(SendError::Permanent(_)) => "permanent_failure",
        Outcome::Failed(SendError::Unavailable(_)) | Outcome::Deferred => "server_unavailable",
    }
}

/// Writes each outcome back: the sent ones in a few statements, the rest one by one (they are
/// few: a round is mostly sent or mostly deferred).
async fn record(
    state: &AppState,
    outcomes: Vec<(deliveries::Model, Outcome)>,
) -> Result<(), DbErr> {
    let now = piazza_shared::clock::now();
    let max_attempts = i32::try_from(state.settings.email.max_attempts).unwrap_or(i32::MAX);
    let txn = state.db.begin().await?;
    let mut sent: Vec<Uuid> = Vec::new();
    let mut waiting: Vec<Uuid> = Vec::new();
    for (row, outcome) in &outcomes {
        metrics::counter!(
            "piazza_emails_total",
            "kind" => row.kind.clone(),
            "outcome" => outcome_label(outcome)
        )
        .increment(1);
        match outcome {
            Outcome::Sent => sent.push(row.id),
            Outcome::Failed(SendError::Unavailable(_)) | Outcome::Deferred => waiting.push(row.id),
            _ => {}
        }
    }
    set_sent(&*txn, &sent, now).await?;
    // The server was away: back to pending, due at once (the sender itself waits before its
    // next round), without counting an attempt.
    for chunk in waiting.chunks(1000) {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value("pending"))
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(now))
            .filter(deliveries::Column::Id.is_in(chunk.iter().copied()))
            .exec(&*txn)
            .await?;
    }
    for (row, outcome) in &outcomes {
        let attempts = row.attempts + 1;
        let (state_value, next, error) = match outcome {
            Outcome::Sent
            | Outcome::Recorded
            | Outcome::Deferred
            | Outcome::Failed(SendError::Unavailable(_)) => {
                continue;
            }
            Outcome::Skipped(reason) => ("cancelled", now, reason.clone()),
            Outcome::Failed(SendError::Temporary(e)) if attempts < max_attempts => {
                let delay = backoff(u32::try_from(attempts).unwrap_or(1).saturating_add(2));
                (
                    "pending",
                    now + Duration::from_std(delay).unwrap_or(Duration::seconds(5)),
                    e.clone(),
                )
            }
            Outcome::Failed(SendError::Temporary(e)) => ("failed", now, e.clone()),
            Outcome::Failed(SendError::Permanent(e)) => {
                suppress(&*txn, &row.recipient, e).await?;
                ("failed", now, e.clone())
            }
        };
        if state_value == "failed" {
            tracing::warn!(delivery_id = %row.id, kind = %row.kind, error = %error, "email given up");
        }
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value(state_value))
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(next))
            .col_expr(deliveries::Column::LastError, Expr::value(Some(error)))
            .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
            .filter(deliveries::Column::Id.eq(row.id))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await
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
