//! Time-based jobs the scheduler runs on cron and the notifier carries out: reminders before
//! each occurrence and the weekly digest.

use super::event::{EventSummary, Occurrence};
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An occurrence starts soon: its confirmed registrants get a reminder (with an `.ics`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReminderDue {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub event: EventSummary,
    pub occurrence: Occurrence,
}

impl Message for ReminderDue {
    const TYPE: &'static str = "piazza.reminder.due";
}

/// Time for the weekly digest: each weekly subscriber gets their matching published events
/// that start in `[window_start, window_end)`, none if there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestDue {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// Identifies this run: a replay of the same run sends nothing twice.
    pub run_id: Uuid,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

impl Message for DigestDue {
    const TYPE: &'static str = "piazza.digest.due";
}
