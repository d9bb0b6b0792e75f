//! The scheduler's time-based work. Cron jobs (reminders, the weekly digest, completing past
//! events, importing feeds) fire on the configured zone's wall clock and are recorded in
//! `job_runs` (see [`runner`]); the slot-timeout watch runs on its own.

mod completion;
mod digest;
mod firing;
mod reminders;
pub mod runner;
pub mod slot_timeouts;

use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use runner::{Job, Tick, tick};

/// Ticks every job when it is due, until `shutdown`.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    loop {
        let now = piazza_shared::clock::now();
        for job in Job::ALL {
            if let Err(error) = tick(&state, job, now).await {
                tracing::warn!(job = job.name(), error = %format!("{error:#}"), "job failed; it runs again when next checked");
            }
        }
        let wait = next_wake(&state, piazza_shared::clock::now());
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Until the next firing of any job, between one second and a minute (a minute at most, so a
/// failed run is retried soon and a changed clock is noticed).
fn next_wake(state: &AppState, now: DateTime<Utc>) -> Duration {
    let next = Job::ALL
        .iter()
        .filter_map(|job| runner::next_fire(state, *job, now))
        .min();
    let wait = next.map_or(60_000, |at| {
        (at - now).num_milliseconds().clamp(1000, 60_000)
    });
    Duration::from_millis(u64::try_from(wait).unwrap_or(60_000))
}
