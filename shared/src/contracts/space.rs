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
