//! The sender: takes due deliveries, composes and sends them concurrently through the shared
//! transport, and records each outcome. A delivery is claimed (state `sending`, under this
//! sender's id, see [`crate::lease`]) before its email goes out, and an email goes out only while
//! this sender's lease holds, so two senders never send the same row; the claims of a sender
//! that died are taken over by another once its heartbeat has been still for a lease.
//!
//! Speed comes from doing per round what could be done per email: one claim, one read of what
//! the round's emails need ([`Round`]), one write of their other outcomes. The emails of a round
//! go out `email.concurrency` at a time over the pooled connections; while they do, the next
//! round is already being claimed, so the connections never wait for the database.
//!
//! An accepted email is marked sent before its slot takes the next one: the slots' accepted
//! emails are marked together, in one statement, as they come; if that write fails, the round
//! sends nothing more and keeps trying to record what it did. So a crash can leave at most
//! `email.concurrency` emails accepted by the server but not marked, the only ones that may go
//! out twice. An email whose connection broke after its content went out has an unknown outcome:
//! it is recorded `unknown`, counted, and not sent again by itself.

use crate::{
    compose::{Round, compose},
    db::{deliveries, suppressions},
    email::SendError,
    lease::{self, Lease},
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
/// With a rate limit, a round holds about this many seconds of sending, so a slow sender does
/// not sit on emails another could send.
const ROUND_SECONDS: u64 = 10;

/// What happened to one delivery.
#[derive(Debug)]
enum Outcome {
    Sent,
    /// Sent, and already marked sent.
    Recorded,
    Skipped(String),
    Failed(SendError),
    /// Not tried: the server was found unavailable, or a sent email could not be recorded,
    /// earlier in the round.
    Deferred,
    /// Not tried: this sender's lease no longer holds, so the row may be another's by now.
    Released,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RoundReport {
    /// Rows claimed.
    pub handled: usize,
    /// Whether the mail server could not be reached.
    pub unavailable: bool,
}

/// Rows claimed under one id of this sender.
struct Claim {
    by: Uuid,
    rows: Vec<deliveries::Model>,
}

/// Rows a round claims: [`BATCH`], or about [`ROUND_SECONDS`] of sending at `rate` per second.
fn batch(rate: u32) -> u64 {
    if rate == 0 {
        BATCH
    } else {
        (u64::from(rate) * ROUND_SECONDS).clamp(1, BATCH)
    }
}

/// Sends until `shutdown`; finishes the round in hand first. Beats for this sender's lease (and
/// takes over the claims of silent senders) meanwhile, and gives back what it holds at the end.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let lease = Arc::new(Lease::new(state.db.clone(), &state.settings.email));
    let beating = CancellationToken::new();
    let heart = heartbeat(&state, &lease, beating.clone());
    let work = async {
        send_until(&state, &lease, &shutdown).await;
        beating.cancel();
    };
    tokio::join!(heart, work);
    if let Err(error) = lease.leave().await {
        tracing::warn!(%error, "email sender could not give back its claims; others take them over after the lease");
    }
}

/// Renews the lease every heartbeat and takes over silent senders' claims, until `stop`.
async fn heartbeat(state: &AppState, lease: &Lease, stop: CancellationToken) {
    let mut ticker = tokio::time::interval(lease.heartbeat());
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = stop.cancelled() => return,
        }
        let first = lease.current().is_none();
        if let Err(error) = lease.beat().await {
            tracing::warn!(%error, "email sender heartbeat failed; it stops sending once its lease runs out");
            continue;
        }
        match lease.take_over_silent().await {
            Ok(0) if !first => {}
            Ok(_) => state.wake_sender.notify_one(),
            Err(error) => tracing::warn!(%error, "could not look for silent email senders"),
        }
    }
}

async fn send_until(state: &AppState, lease: &Lease, shutdown: &CancellationToken) {
    let mut failures = 0;
    let size = batch(state.settings.email.rate_per_second);
    // The next round's rows, claimed while the current round was sending.
    let mut next: Option<Claim> = None;
    loop {
        let claimed = match next.take() {
            Some(claim) => Ok(claim),
            None => claim(state, lease, size).await,
        };
        let result = match claimed {
            Ok(claim) if claim.rows.is_empty() => Ok(RoundReport::default()),
            Ok(claim) => {
                // Look ahead only when this round is full: a short round means the queue is dry.
                let look_ahead = claim.rows.len() as u64 == size && !shutdown.is_cancelled();
                let ahead = async {
                    if look_ahead {
                        claim_ahead(state, lease, size).await
                    } else {
                        None
                    }
                };
                let (report, ahead) = tokio::join!(deliver(state, lease, claim, shutdown), ahead);
                next = ahead.filter(|claim| !claim.rows.is_empty());
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
            if let Some(claim) = next.take() {
                // Claimed but never tried: give them back rather than wait out the lease.
                let _ = lease::give_back(state.db.conn(), claim.by).await;
            }
            return;
        }
    }
}

async fn claim_ahead(state: &AppState, lease: &Lease, size: u64) -> Option<Claim> {
    claim(state, lease, size).await.ok()
}

/// Claims up to `size` due rows under this sender's id: `pending` ones whose time has come (and
/// rows left `sending` by a version that leased by time, once that lease ran out). Nothing while
/// the lease does not hold.
async fn claim(state: &AppState, lease: &Lease, size: u64) -> Result<Claim, DbErr> {
    let Some(by) = lease.current() else {
        return Ok(Claim {
            by: Uuid::nil(),
            rows: Vec::new(),
        });
    };
    let now = piazza_shared::clock::now();
    let txn = state.db.begin().await?;
    let mut query = deliveries::Entity::find()
        .filter(deliveries::Column::State.is_in(["pending", "sending"]))
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
            .col_expr(deliveries::Column::State, Expr::value("sending"))
            .col_expr(deliveries::Column::SenderId, Expr::value(Some(by)))
            .filter(deliveries::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Claim { by, rows })
}

/// Composes, sends and records the claimed rows.
async fn deliver(
    state: &AppState,
    lease: &Lease,
    claim: Claim,
    shutdown: &CancellationToken,
) -> anyhow::Result<RoundReport> {
    let Claim { by, rows } = claim;
    let round = Arc::new(Round::load(state, &rows).await?);
    let pacing = pacer(state.settings.email.rate_per_second);
    let concurrency = state.settings.email.concurrency as usize;
    // Set when the server is away or a sent email could not be marked: the round stops sending.
    let halted = Arc::new(AtomicBool::new(false));
    let unavailable = Arc::new(AtomicBool::new(false));
    let any_unavailable = unavailable.clone();
    let (accepted, to_mark) = mpsc::unbounded_channel();
    let sending = futures::stream::iter(rows)
        .map(move |row| {
            let round = round.clone();
            let pacing = pacing.clone();
            let halted = halted.clone();
            let unavailable = unavailable.clone();
            let accepted = accepted.clone();
            async move {
                if halted.load(Ordering::Relaxed) {
                    return (row, Outcome::Deferred);
                }
                if !lease.holds(by) {
                    return (row, Outcome::Released);
                }
                let outcome = match compose(state, &round, &row) {
                    Ok(Some(email)) => {
                        if let Some(pacing) = &pacing {
                            pacing.lock().await.tick().await;
                        }
                        match email.into_message(&state.from) {
                            // Checked again after the pacing wait, right before sending.
                            Ok(_) if !lease.holds(by) => Outcome::Released,
                            Ok(_) if halted.load(Ordering::Relaxed) => Outcome::Deferred,
                            Ok(message) => match state.mailer.send(message).await {
                                Ok(()) => {
                                    let outcome = marked(&accepted, row.id).await;
                                    if matches!(outcome, Outcome::Sent) {
                                        halted.store(true, Ordering::Relaxed);
                                    }
                                    outcome
                                }
                                Err(e) => {
                                    if matches!(e, SendError::Unavailable(_)) {
                                        unavailable.store(true, Ordering::Relaxed);
                                        halted.store(true, Ordering::Relaxed);
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
    // What was sent must be recorded, or it would be sent again: keep trying (the lease lapses
    // meanwhile if the database is away, and others take over only what was not sent).
    let mut failures = 0;
    loop {
        match record(state, by, &outcomes).await {
            Ok(()) => break,
            Err(error) => {
                failures += 1;
                let delay = backoff(failures);
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "could not record the round's outcomes; trying again");
                if shutdown.is_cancelled() && failures > 3 {
                    return Err(error.into());
                }
                tokio::time::sleep(delay).await;
            }
        }
    }
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
        Outcome::Failed(SendError::Unknown(_)) => "unknown",
        Outcome::Failed(SendError::Unavailable(_)) | Outcome::Deferred => "server_unavailable",
        Outcome::Released => "lease_lost",
    }
}

/// Writes each outcome back: the sent ones in a few statements, the rest one by one (they are
/// few: a round is mostly sent or mostly deferred). Only rows still claimed under `by` change,
/// except that a sent email is marked sent whoever holds it now: it was sent.
async fn record(
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
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value("pending"))
            .col_expr(
                deliveries::Column::SenderId,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(now))
            .filter(deliveries::Column::Id.is_in(chunk.iter().copied()))
            .filter(deliveries::Column::State.eq("sending"))
            .filter(deliveries::Column::SenderId.eq(by))
            .exec(&*txn)
            .await?;
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
            Outcome::Failed(SendError::Unknown(e)) => ("unknown", now, e.clone()),
        };
        match state_value {
            "failed" => {
                tracing::warn!(delivery_id = %row.id, kind = %row.kind, error = %error, "email given up")
            }
            "unknown" => tracing::warn!(
                delivery_id = %row.id,
                kind = %row.kind,
                error = %error,
                "email outcome unknown: the connection broke after its content was sent; not sent again"
            ),
            _ => {}
        }
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value(state_value))
            .col_expr(
                deliveries::Column::SenderId,
                Expr::value(Option::<Uuid>::None),
            )
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(next))
            .col_expr(deliveries::Column::LastError, Expr::value(Some(error)))
            .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
            .filter(deliveries::Column::Id.eq(row.id))
            .filter(deliveries::Column::State.eq("sending"))
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
