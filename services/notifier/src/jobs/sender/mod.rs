//! The sender: takes due deliveries, composes and sends them concurrently through the shared
//! transport, and records each outcome. A delivery is claimed (state `sending`, under this
//! sender's id, see [`lease`]) before its email goes out, and an email goes out only while
//! this sender's lease holds, so two senders never send the same row; the claims of a sender
//! that died are taken over by another once its heartbeat has been still for a lease.
//!
//! Speed comes from doing per round what could be done per email: one claim, one read of what
//! the round's emails need (`round_data::Round`), one write of their other outcomes. The emails
//! of a round go out `email.concurrency` at a time over the pooled connections; while they do,
//! the next round is already being claimed, so the connections never wait for the database.
//!
//! An accepted email is marked sent before its slot takes the next one: the slots' accepted
//! emails are marked together, in one statement, as they come; if that write fails, the round
//! sends nothing more and keeps trying to record what it did. So a crash can leave at most
//! `email.concurrency` emails accepted by the server but not marked, the only ones that may go
//! out twice. An email whose connection broke after its content went out has an unknown outcome:
//! it is recorded `unknown`, counted, and not sent again by itself.
//!
//! Its writes are plain transactions, not a [`piazza_shared::unit::Unit`]: the sender publishes
//! no message and audits nothing, and a unit would wake the outbox relay after every round for
//! nothing.

mod claim;
mod compose;
mod lease;
mod outcome;
mod progress;
mod record;
mod round;
mod round_data;

use crate::state::AppState;
use claim::{Claim, batch, claim, claim_ahead};
use lease::Lease;
use outcome::RoundReport;
use piazza_shared::runtime::backoff;
use round::deliver;
use tokio_util::sync::CancellationToken;

/// Sends until `shutdown`; finishes the round in hand first. Beats for this sender's lease (and
/// takes over the claims of silent senders) meanwhile, and gives back what it holds at the end.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let name = lease::instance_name(state.settings.listen);
    let lease = Lease::new(state.db.clone(), &state.settings.email, name);
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
    let mut fan_out = progress::FanOutProgress::default();
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
        if let Ok(report) = &result {
            fan_out.after_round(state, report.handled).await;
        }
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
