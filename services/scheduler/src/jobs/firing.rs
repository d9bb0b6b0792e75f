//! One firing of a cron job: what the runner hands a job's work, kept apart from the runner so
//! the jobs and the runner do not import each other.

use chrono::{DateTime, NaiveDateTime, Utc};
use uuid::Uuid;

/// A firing being run.
#[derive(Debug, Clone, Copy)]
pub struct Firing {
    /// Its local wall time.
    pub wall: NaiveDateTime,
    /// Its instant.
    pub at: DateTime<Utc>,
    pub run_id: Uuid,
    /// The time the tick was asked for (the clock, or a test's).
    pub now: DateTime<Utc>,
}
