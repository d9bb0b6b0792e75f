//! `piazza.event.*`: published events and their changes, for the notifier and any other reader.

use super::{Category, FundingLine};
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where an event takes place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub space_id: Uuid,
    pub name: String,
    pub building: String,
    pub address: String,
}

/// One dated occurrence of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occurrence {
    pub occurrence_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// An event as the notifier needs it to write emails and match subscribers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSummary {
    pub event_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub categories: Vec<Category>,
    #[serde(default)]
    pub age_min: Option<u8>,
    #[serde(default)]
    pub age_max: Option<u8>,
    pub time_zone: String,
    pub occurrences: Vec<Occurrence>,
    #[serde(default)]
    pub place: Option<Place>,
    #[serde(default)]
    pub capacity: Option<u32>,
    /// The line of funding that pays for the event, for the monitoring. Added after version 1
    /// was published: absent in older messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding_line: Option<FundingLine>,
    /// The season the event belongs to, if any (absent in older messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPublished {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub event: EventSummary,
}

impl Message for EventPublished {
    const TYPE: &'static str = "piazza.event.published";
}

/// A published event was cancelled, whole or some of its occurrences; registrants and matched
/// subscribers should hear of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventCancelled {
    #[serde(default = "super::version_one")]
    pub version: u32,
    /// The event as it stands after the cancellation.
    pub event: EventSummary,
    pub reason: String,
    /// The cancelled occurrences; empty means the whole event.
    #[serde(default)]
    pub occurrence_ids: Vec<Uuid>,
}

impl Message for EventCancelled {
    const TYPE: &'static str = "piazza.event.cancelled";
}

/// A published event moved in time or place: its occurrences now are `event.occurrences`, and
/// were `previous`. Registrants and the subscribers who were told of it should hear of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRescheduled {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub event: EventSummary,
    /// The occurrences that changed, as they were before (same `occurrence_id`s).
    pub previous: Vec<Occurrence>,
    /// The place before, when it changed.
    #[serde(default)]
    pub previous_place: Option<Place>,
}

impl Message for EventRescheduled {
    const TYPE: &'static str = "piazza.event.rescheduled";
}

/// A published event's details changed without moving it (title, description, categories,
/// ages, capacity): readers refresh their copy; nobody is emailed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventUpdated {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub event: EventSummary,
}

impl Message for EventUpdated {
    const TYPE: &'static str = "piazza.event.updated";
}
