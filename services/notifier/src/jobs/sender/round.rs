//! One round of sending: the claimed emails composed and sent `email.concurrency` at a time, each
//! only while this sender's lease holds, each accepted one marked sent before its slot takes the
//! next; then the outcomes recorded.

use super::{
    claim::Claim,
    compose::compose,
    lease::Lease,
    outcome::{Outcome, RoundReport},
    record::{record, set_sent},
    round_data::Round,
};
use crate::{email::SendError, state::AppState};
use futures::StreamExt;
use piazza_shared::runtime::backoff;
use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Composes, sends and records the claimed rows.
pub(super) async fn deliver(
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

fn pacer(rate: u32) -> Option<Arc<Mutex<tokio::time::Interval>>> {
    (rate > 0).then(|| {
        let mut interval =
            tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / f64::from(rate)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Arc::new(Mutex::new(interval))
    })
}
