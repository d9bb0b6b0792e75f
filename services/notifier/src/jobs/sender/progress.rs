//! How far the fan-outs under way have got, for whoever waits for them: "k of n emails" in the
//! log when first seen, every few seconds after and at the end, and `piazza_work_done{work="fan_out"}` /
//! `piazza_work_total{work="fan_out"}` in `/metrics`. Counted from the stored deliveries, so it
//! is right with any number of senders and across restarts.

use crate::{db::deliveries, state::AppState};
use piazza_shared::progress::Progress;
use std::time::{Duration, Instant};

/// Reads the counts at most this often while emails go out.
const LOOK_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(super) struct FanOutProgress {
    current: Option<Progress>,
    looked: Option<Instant>,
}

impl FanOutProgress {
    /// After a round that handled `handled` emails.
    pub(super) async fn after_round(&mut self, state: &AppState, handled: usize) {
        if handled == 0 && self.current.is_none() {
            return; // nothing under way, nothing to say
        }
        if handled > 0 && self.looked.is_some_and(|at| at.elapsed() < LOOK_EVERY) {
            return;
        }
        self.looked = Some(Instant::now());
        let (settled, total) = match deliveries::under_way(state.db.conn()).await {
            Ok(counts) => counts,
            Err(error) => {
                tracing::debug!(%error, "could not count the fan-outs under way");
                return;
            }
        };
        if settled < total {
            match &mut self.current {
                Some(progress) => progress.set(settled, total),
                None => {
                    // First seen after a round: say at once where it stands.
                    let mut progress = Progress::start("fan_out", "emails", total);
                    progress.set(settled, total);
                    progress.say_now();
                    self.current = Some(progress);
                }
            }
        } else if let Some(progress) = self.current.take() {
            // Every group settled: the last ones leave the query, so the last total stands.
            progress.finish_all();
        }
    }
}
