//! How spaces and bookings look in the API's answers (and, put in words, on the pages).

use crate::{
    db::{bookings, spaces},
    domain::{BookingStatus, FundingLine, OpeningHours, SpaceKind, SpaceStatus},
};
use chrono::{DateTime, Utc};
use piazza_shared::contracts::{Accessibility, Equipment, Feature};
use piazza_shared::images::ImageView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SpaceView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub building: String,
    pub address: String,
    pub kind: SpaceKind,
    pub capacity: u32,
    /// Codes of the accessibility vocabulary.
    pub accessibility: Vec<Accessibility>,
    /// Codes of the equipment vocabulary.
    pub equipment: Vec<Equipment>,
    pub time_zone: String,
    pub opening_hours: Vec<OpeningHours>,
    pub status: SpaceStatus,
    pub funding: Option<FundingLine>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Minutes a booking occupies before its start.
    pub setup_minutes: u32,
    /// Minutes a booking occupies after its end.
    pub teardown_minutes: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Its image, or `null`.
    #[serde(default)]
    pub image: Option<ImageView>,
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

impl From<spaces::Model> for SpaceView {
    fn from(m: spaces::Model) -> Self {
        Self {
            id: m.id,
            parent_id: m.parent_id,
            accessibility: stored_codes(&m.accessibility),
            equipment: stored_codes(&m.equipment),
            opening_hours: serde_json::from_value(m.opening_hours.clone()).unwrap_or_default(),
            kind: SpaceKind::parse(&m.kind).unwrap_or(SpaceKind::Other),
            status: SpaceStatus::parse(&m.status).unwrap_or(SpaceStatus::Open),
            funding: m.funding.as_deref().and_then(FundingLine::parse),
            capacity: u32::try_from(m.capacity).unwrap_or(0),
            setup_minutes: u32::try_from(m.setup_minutes).unwrap_or(0),
            teardown_minutes: u32::try_from(m.teardown_minutes).unwrap_or(0),
            name: m.name,
            building: m.building,
            address: m.address,
            time_zone: m.time_zone,
            latitude: m.latitude,
            longitude: m.longitude,
            created_at: m.created_at,
            updated_at: m.updated_at,
            image: None,
        }
    }
}

/// Reads a stored space's list column.
pub fn stored_strings(value: &serde_json::Value) -> Vec<String> {
    strings(value)
}

/// Reads a stored list of vocabulary codes; a code the vocabulary no longer knows is left out.
pub fn stored_codes<F: Feature>(value: &serde_json::Value) -> Vec<F> {
    strings(value).iter().filter_map(|c| F::parse(c)).collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BookingView {
    pub id: Uuid,
    /// Shared by every occurrence of a recurring request.
    pub series_id: Option<Uuid>,
    pub space_id: Uuid,
    pub title: String,
    pub attendees: u32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    pub organisation: Option<String>,
    /// The scheduler's event this booking holds the space for.
    pub event_id: Option<Uuid>,
    /// For an event's booking: the organisation's own approved booking it takes place in (it
    /// then holds no slot of its own).
    pub uses_booking_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<bookings::Model> for BookingView {
    fn from(m: bookings::Model) -> Self {
        let status = m.status();
        Self {
            id: m.id,
            series_id: m.series_id,
            space_id: m.space_id,
            title: m.title,
            attendees: u32::try_from(m.attendees).unwrap_or(0),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            status,
            reason: m.reason,
            organisation: m.organisation_name,
            event_id: m.event_id,
            uses_booking_id: m.uses_booking_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}
