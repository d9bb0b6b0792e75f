//! `piazza.season.changed`: a season of the scheduler was created or changed, so the monitoring
//! can report indicators per season (its name and dates) without reading the scheduler's tables.

use crate::envelope::Message;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A season as it stands now; the latest message for a `season_id` wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeasonChanged {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub season_id: Uuid,
    pub name: String,
    /// First day of the season (in the Comune's time zone).
    pub starts_on: NaiveDate,
    /// Last day of the season, included.
    pub ends_on: NaiveDate,
    /// The season's status in the scheduler (`draft`, `published`, …).
    pub status: String,
}

impl Message for SeasonChanged {
    const TYPE: &'static str = "piazza.season.changed";
}
