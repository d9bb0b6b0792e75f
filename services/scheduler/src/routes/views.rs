//! How seasons, events and occurrences look in responses.

use crate::{
    db::{events, occurrences, seasons, spaces},
    domain::{EventStatus, SpaceStatus},
};
use chrono::{DateTime, NaiveDate, Utc};
use piazza_shared::contracts::{
    Category,
    event::{EventSummary, Occurrence, Place},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeasonView {
    pub id: Uuid,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// `planning`, `published` or `archived`.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl From<seasons::Model> for SeasonView {
    fn from(m: seasons::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            status: m.status,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OccurrenceView {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `scheduled` or `cancelled`.
    pub status: String,
}

impl From<occurrences::Model> for OccurrenceView {
    fn from(m: occurrences::Model) -> Self {
        Self {
            id: m.id,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            status: m.status,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlaceView {
    pub space_id: Uuid,
    pub name: String,
    pub building: String,
    pub address: String,
}

impl From<&spaces::Model> for PlaceView {
    fn from(m: &spaces::Model) -> Self {
        Self {
            space_id: m.id,
            name: m.name.clone(),
            building: m.building.clone(),
            address: m.address.clone(),
        }
    }
}

pub fn categories_of(value: &serde_json::Value) -> Vec<Category> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub season_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub categories: Vec<Category>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub capacity: Option<u32>,
    pub time_zone: String,
    /// Start of the first occurrence.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub recurrence: Option<String>,
    pub space_id: Option<Uuid>,
    pub space_status: SpaceStatus,
    /// Why the space is unavailable.
    pub space_reason: Option<String>,
    pub place: Option<PlaceView>,
    pub status: EventStatus,
    pub organisation: Option<String>,
    pub sequence: u32,
    pub occurrences: Vec<OccurrenceView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn small(value: Option<i32>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

impl EventView {
    pub fn new(
        event: events::Model,
        occurrences: Vec<occurrences::Model>,
        space: Option<&spaces::Model>,
    ) -> Self {
        Self {
            id: event.id,
            season_id: event.season_id,
            categories: categories_of(&event.categories),
            age_min: small(event.age_min),
            age_max: small(event.age_max),
            capacity: event.capacity.and_then(|c| u32::try_from(c).ok()),
            space_status: SpaceStatus::parse(&event.space_status).unwrap_or(SpaceStatus::None),
            status: EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft),
            sequence: u32::try_from(event.sequence).unwrap_or(0),
            place: space.map(PlaceView::from),
            occurrences: occurrences.into_iter().map(OccurrenceView::from).collect(),
            title: event.title,
            description: event.description,
            time_zone: event.time_zone,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            recurrence: event.recurrence,
            space_id: event.space_id,
            space_reason: event.space_reason,
            organisation: event.organisation_name,
            created_at: event.created_at,
            updated_at: event.updated_at,
        }
    }
}

/// The message form of an event, for the notifier.
pub fn summary(
    event: &events::Model,
    occurrences: &[occurrences::Model],
    space: Option<&spaces::Model>,
) -> EventSummary {
    EventSummary {
        event_id: event.id,
        title: event.title.clone(),
        description: event.description.clone(),
        categories: categories_of(&event.categories),
        age_min: small(event.age_min),
        age_max: small(event.age_max),
        time_zone: event.time_zone.clone(),
        occurrences: occurrences
            .iter()
            .filter(|o| o.status == "scheduled")
            .map(|o| Occurrence {
                occurrence_id: o.id,
                starts_at: o.starts_at,
                ends_at: o.ends_at,
            })
            .collect(),
        place: space.map(|s| Place {
            space_id: s.id,
            name: s.name.clone(),
            building: s.building.clone(),
            address: s.address.clone(),
        }),
        capacity: event.capacity.and_then(|c| u32::try_from(c).ok()),
    }
}

/// One occurrence in the public calendar.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OccurrenceItem {
    pub occurrence_id: Uuid,
    pub event_id: Uuid,
    pub title: String,
    pub description: String,
    pub categories: Vec<Category>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub place: Option<PlaceView>,
    /// `scheduled` or `cancelled`.
    pub status: String,
}

impl OccurrenceItem {
    pub fn new(
        event: &events::Model,
        occurrence: &occurrences::Model,
        space: Option<&spaces::Model>,
    ) -> Self {
        Self {
            occurrence_id: occurrence.id,
            event_id: event.id,
            title: event.title.clone(),
            description: event.description.clone(),
            categories: categories_of(&event.categories),
            age_min: small(event.age_min),
            age_max: small(event.age_max),
            starts_at: occurrence.starts_at,
            ends_at: occurrence.ends_at,
            time_zone: event.time_zone.clone(),
            place: space.map(PlaceView::from),
            status: occurrence.status.clone(),
        }
    }
}
