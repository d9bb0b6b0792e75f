//! The one place Piazza reads the time of day. Every "now" in the services goes through
//! [`now`], so a test (or a rehearsal of next season) can start the process's clock at a chosen
//! instant and nothing in the application notices the difference: a suite written against a
//! fixed calendar keeps passing whatever today's date is.
//!
//! The clock is the system clock unless [`start_at`] (or the `PIAZZA_CLOCK_START` setting) moves
//! it; a moved clock still advances in real time from the instant it was set to, measured on the
//! monotonic clock, so timeouts and leases behave as they do in production.

use chrono::{DateTime, Utc};
use std::{
    sync::RwLock,
    time::{Duration, Instant},
};

/// Where the clock was moved to, and when (on the monotonic clock).
#[derive(Debug, Clone, Copy)]
struct Moved {
    start: DateTime<Utc>,
    at: Instant,
}

static MOVED: RwLock<Option<Moved>> = RwLock::new(None);

/// The current instant, as the application sees it.
pub fn now() -> DateTime<Utc> {
    let moved = MOVED.read().map(|m| *m).unwrap_or(None);
    match moved {
        None => Utc::now(),
        Some(Moved { start, at }) => {
            let elapsed = chrono::Duration::from_std(at.elapsed()).unwrap_or(chrono::Duration::MAX);
            start.checked_add_signed(elapsed).unwrap_or(start)
        }
    }
}

/// Moves the process's clock so that [`now`] reads `start` at this moment and advances in real
/// time from there. Every service in the process sees the same clock.
pub fn start_at(start: DateTime<Utc>) {
    if let Ok(mut moved) = MOVED.write() {
        *moved = Some(Moved {
            start,
            at: Instant::now(),
        });
    }
}

/// Back to the system clock.
pub fn reset() {
    if let Ok(mut moved) = MOVED.write() {
        *moved = None;
    }
}

/// How far the application's clock is from the system clock (zero unless moved); positive when
/// the application is ahead.
pub fn offset() -> chrono::Duration {
    now() - Utc::now()
}

/// `now()` plus a standard duration, saturating rather than overflowing.
pub fn after(duration: Duration) -> DateTime<Utc> {
    let now = now();
    chrono::Duration::from_std(duration)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The clock is the process's: its tests take turns.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn a_moved_clock_reads_its_start_and_keeps_running() {
        let _turn = SERIAL.lock();
        let start = DateTime::parse_from_rfc3339("2031-05-06T07:08:09Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        start_at(start);
        let first = now();
        std::thread::sleep(Duration::from_millis(20));
        let second = now();
        reset();
        assert!(first >= start && first - start < chrono::Duration::seconds(1));
        assert!(second > first, "the moved clock advances");
        assert!(now().signed_duration_since(Utc::now()).num_seconds().abs() < 2);
    }
}
