//! Progress of long work a person waits for (a calendar import, an event's fan-out): "k of n"
//! in the log every few seconds while it runs and how it ended, and in `/metrics` as
//! `piazza_work_done{work}` / `piazza_work_total{work}`, so an operator watching either sees it
//! move. Work over within a few seconds writes no line (an hourly refresh of a small calendar
//! would only add noise); the gauges move always. Throttled on the process's monotonic clock,
//! which says nothing about business time.

use std::time::{Duration, Instant};

/// How often a running piece of work says where it is.
const EVERY: Duration = Duration::from_secs(2);

/// One piece of long work, counted in items (events, emails).
#[derive(Debug)]
pub struct Progress {
    work: &'static str,
    subject: String,
    total: u64,
    done: u64,
    started: Instant,
    /// When the last line was written; none while the work has said nothing.
    said: Option<Instant>,
}

impl Progress {
    /// Starts counting `total` items of `work` (a metric label: `feed_import`, `fan_out`) about
    /// `subject` (what the log line names: a feed, an event).
    pub fn start(work: &'static str, subject: impl Into<String>, total: u64) -> Self {
        let now = Instant::now();
        metrics::gauge!("piazza_work_total", "work" => work).set(total as f64);
        metrics::gauge!("piazza_work_done", "work" => work).set(0.0);
        Self {
            work,
            subject: subject.into(),
            total,
            done: 0,
            started: now,
            said: None,
        }
    }

    /// Counts `items` more done; says so when the work has run, and its last line stood, for a
    /// few seconds.
    pub fn advance(&mut self, items: u64) {
        self.done += items;
        self.show_done();
        if self.due(Instant::now()) {
            self.say_now();
        }
    }

    /// Whether a line is due at `now`.
    fn due(&self, now: Instant) -> bool {
        let old_enough = |since: Instant| now.saturating_duration_since(since) >= EVERY;
        old_enough(self.started) && self.said.is_none_or(old_enough)
    }

    /// Writes where the work is now (for work first seen half done, say).
    pub fn say_now(&mut self) {
        self.said = Some(Instant::now());
        tracing::info!(
            work = self.work,
            subject = %self.subject,
            done = self.done,
            total = self.total,
            "{} of {} ({}%)",
            self.done,
            self.total,
            self.percent()
        );
    }

    /// Sets where the work is when it is counted from outside (its total may grow meanwhile).
    pub fn set(&mut self, done: u64, total: u64) {
        if total != self.total {
            self.total = total;
            metrics::gauge!("piazza_work_total", "work" => self.work).set(total as f64);
        }
        self.done = done;
        self.advance(0);
    }

    pub fn done(&self) -> u64 {
        self.done
    }

    fn percent(&self) -> u64 {
        (self.done * 100).checked_div(self.total).unwrap_or(100)
    }

    /// Counts everything done and ends.
    pub fn finish_all(mut self) {
        self.done = self.total;
        self.show_done();
        self.finish();
    }

    fn show_done(&self) {
        metrics::gauge!("piazza_work_done", "work" => self.work).set(self.done as f64);
    }

    /// Says how it ended, with the time it took, when it said anything while it ran.
    pub fn finish(self) {
        if self.said.is_none() {
            return;
        }
        tracing::info!(
            work = self.work,
            subject = %self.subject,
            done = self.done,
            total = self.total,
            seconds = self.started.elapsed().as_secs_f64(),
            "{} of {} done",
            self.done,
            self.total
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_counts_what_is_done_and_its_share() {
        let mut progress = Progress::start("test", "a feed", 8);
        progress.advance(2);
        progress.advance(4);
        assert_eq!(progress.done(), 6);
        assert_eq!(progress.percent(), 75);
        let empty = Progress::start("test", "nothing", 0);
        assert_eq!(empty.percent(), 100);
        progress.set(9, 12);
        assert_eq!((progress.done(), progress.percent()), (9, 75));
    }

    #[test]
    fn short_work_is_quiet_and_long_work_speaks_every_few_seconds() {
        let now = Instant::now();
        let mut progress = Progress::start("test", "a feed", 8);
        assert!(!progress.due(now), "just started");
        progress.started = now - Duration::from_secs(3);
        assert!(progress.due(now), "running for a while, nothing said yet");
        progress.said = Some(now - Duration::from_secs(1));
        assert!(!progress.due(now), "said a second ago");
        assert!(
            progress.due(now + Duration::from_secs(1)),
            "said two seconds ago"
        );
    }
}
