//! `piazza.space.*`: the booking service tells others what spaces exist, so the scheduler can
//! name the place of an event without reading booking's tables.

use crate::envelope::Message;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What other services need to know of a space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceInfo {
    pub space_id: Uuid,
    pub name: String,
    pub building: String,
    pub address: String,
    pub kind: String,
    pub capacity: u32,
    pub time_zone: String,
    pub status: String,
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    #[serde(default)]
    pub accessibility: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceCreated {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub space: SpaceInfo,
}

impl Message for SpaceCreated {
    const TYPE: &'static str = "piazza.space.created";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceUpdated {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub space: SpaceInfo,
}

impl Message for SpaceUpdated {
    const TYPE: &'static str = "piazza.space.updated";
}

/// A space closed for a while (works, a holiday), once or on a recurring rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceClosed {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub space_id: Uuid,
    /// Set when the closure recurs; every occurrence shares it.
    #[serde(default)]
    pub series_id: Option<Uuid>,
    pub reason: String,
    /// Each closed stretch, in order.
    pub periods: Vec<ClosedPeriod>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosedPeriod {
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
}

impl Message for SpaceClosed {
    const TYPE: &'static str = "piazza.space.closed";
}

/// A date of a space now has its own opening hours (none: closed that day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceHoursChanged {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub space_id: Uuid,
    /// Local date in the space's zone, `YYYY-MM-DD`.
    pub date: String,
    /// Open windows of that date as `HH:MM` pairs; empty means closed all day.
    pub hours: Vec<(String, String)>,
    pub reason: String,
}

impl Message for SpaceHoursChanged {
    const TYPE: &'static str = "piazza.space.hours_changed";
}
