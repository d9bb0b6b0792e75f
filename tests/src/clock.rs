//! The tests' clock. Every date the tests write (bookings in early 2027, say) must stay in the
//! future whatever today's date is, so the harness starts the application's clock
//! ([`piazza_shared::clock`]) of the test process at one fixed instant, [`START`], before the
//! earliest of them, and it runs in real time from there. Each Piazza process a test starts gets
//! the same clock through `PIAZZA_CLOCK_START` ([`crate::node`]). Tests that compute a time read
//! [`now`], never the system clock.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::sync::Once;

/// Where the tests' clock starts: a Monday morning before every date the tests use.
pub const START: &str = "2026-11-30T08:00:00Z";

static PIN: Once = Once::new();

/// Starts the process's clock at [`START`], once; every harness entry point calls it.
pub fn pin() {
    PIN.call_once(|| {
        let start = DateTime::parse_from_rfc3339(START)
            .expect("START is RFC 3339")
            .with_timezone(&Utc);
        piazza_shared::clock::start_at(start);
    });
}

/// The application's current instant, as the services in this process see it.
pub fn now() -> DateTime<Utc> {
    pin();
    piazza_shared::clock::now()
}

/// A day two weeks ahead of the tests' clock, in Rome: far enough that nothing is in the past.
pub fn day_ahead() -> NaiveDate {
    (now().with_timezone(&chrono_tz::Europe::Rome) + Duration::days(14)).date_naive()
}

/// RFC 3339 for `day` at `time` (`HH:MM`) in Rome, e.g. `2027-03-05T21:00:00+01:00`.
pub fn rome(day: NaiveDate, time: &str) -> String {
    piazza_shared::web::words::local_instant(&day.to_string(), time, chrono_tz::Europe::Rome)
        .expect("a Rome time")
}
