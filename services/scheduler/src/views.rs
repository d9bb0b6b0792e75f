//! How seasons, events and occurrences look in responses.

use crate::{
    db::{events, occurrences, seasons, spaces},
    domain::{EventStatus, FundingLine, SeasonStatus, SpaceStatus},
    schedule::announce::{categories_of, small},
};
use chrono::{DateTime, NaiveDate, Utc};
use piazza_shared::contracts::Category;
use piazza_shared::images::ImageView;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeasonView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: SeasonStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Imported calendars whose last fetch failed: nothing changed because of them. Shown to
    /// administrators only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feed_problems: Vec<FeedProblem>,
}

/// An imported calendar that could not be read, as the season shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeedProblem {
    pub feed_id: Uuid,
    pub url: String,
    pub error: String,
    pub since: Option<DateTime<Utc>>,
    pub failures: u32,
}

impl From<seasons::Model> for SeasonView {
    fn from(m: seasons::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            description: m.description,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            status: SeasonStatus::parse(&m.status).unwrap_or(SeasonStatus::Planning),
            created_at: m.created_at,
            updated_at: m.updated_at,
            feed_problems: Vec::new(),
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
    /// Changes to this occurrence alone.
    pub sequence: u32,
    pub cancel_reason: Option<String>,
}

impl From<occurrences::Model> for OccurrenceView {
    fn from(m: occurrences::Model) -> Self {
        Self {
            id: m.id,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            status: m.status,
            sequence: u32::try_from(m.sequence).unwrap_or(0),
            cancel_reason: m.cancel_reason,
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

/// How full an event (or its pathway) is. For a weekly event, registered for by date, the
/// figures are those of its next date still taking registrations, and `dates` has each.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PlacesView {
    pub confirmed: u32,
    pub waitlisted: u32,
    /// `None` when there is no limit.
    pub left: Option<u32>,
    /// When registrations close.
    pub closes_at: Option<DateTime<Utc>>,
    /// Set when people register for the pathway this event belongs to, not for the event.
    pub programme_id: Option<Uuid>,
    /// For an event registered for by date: its dates to come, each with its own places (give
    /// one's `occurrence_id` when registering).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<DatePlaces>,
}

/// The places at one date of an event registered for by date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DatePlaces {
    pub occurrence_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub confirmed: u32,
    pub waitlisted: u32,
    /// `None` when there is no limit.
    pub left: Option<u32>,
    /// When registrations for this date close.
    pub closes_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub season_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    pub title: String,
    /// Italian description.
    pub description: String,
    /// English description (empty when not translated).
    pub description_en: String,
    pub categories: Vec<Category>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub capacity: Option<u32>,
    pub waitlist: bool,
    /// Minutes before the start that registrations close (the configured default if unset).
    pub registration_closes_minutes: Option<u32>,
    pub accessibility_notes: String,
    /// Euro cents; 0 when free.
    pub price_cents: u32,
    pub free: bool,
    pub funding_line: Option<FundingLine>,
    /// The organising operator.
    pub organisation: Option<String>,
    pub time_zone: String,
    /// Start of the first occurrence.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub recurrence: Option<String>,
    /// Local days (`YYYY-MM-DD`) or wall times (`YYYY-MM-DDTHH:MM:SS`) the rule skips.
    pub exdates: Vec<String>,
    pub space_id: Option<Uuid>,
    pub space_status: SpaceStatus,
    /// Why the space is unavailable, or that it is held waiting for approval.
    pub space_reason: Option<String>,
    pub place: Option<PlaceView>,
    /// Where it takes place in words, when it has no space of ours (imported events).
    pub location: Option<String>,
    pub status: EventStatus,
    pub cancel_reason: Option<String>,
    /// The calendar feed it was imported from, and its UID there.
    pub source_feed_id: Option<Uuid>,
    pub source_uid: Option<String>,
    /// Grows with each change calendar clients should notice.
    pub sequence: u32,
    pub occurrences: Vec<OccurrenceView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub places: Option<PlacesView>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Its image, or `null`.
    #[serde(default)]
    pub image: Option<ImageView>,
}

pub fn exdates_of(value: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
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
            programme_id: event.programme_id,
            categories: categories_of(&event.categories),
            age_min: small(event.age_min),
            age_max: small(event.age_max),
            capacity: event.capacity.and_then(|c| u32::try_from(c).ok()),
            waitlist: event.waitlist,
            registration_closes_minutes: event
                .registration_closes_minutes
                .and_then(|m| u32::try_from(m).ok()),
            price_cents: u32::try_from(event.price_cents).unwrap_or(0),
            free: event.price_cents <= 0,
            funding_line: event.funding_line.as_deref().and_then(FundingLine::parse),
            space_status: SpaceStatus::parse(&event.space_status).unwrap_or(SpaceStatus::None),
            status: EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft),
            sequence: u32::try_from(event.sequence).unwrap_or(0),
            place: space.map(PlaceView::from),
            occurrences: occurrences.into_iter().map(OccurrenceView::from).collect(),
            exdates: exdates_of(&event.exdates),
            title: event.title,
            description: event.description,
            description_en: event.description_en,
            accessibility_notes: event.accessibility_notes,
            time_zone: event.time_zone,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            recurrence: event.recurrence,
            space_id: event.space_id,
            space_reason: event.space_reason,
            cancel_reason: event.cancel_reason,
            organisation: event.organisation_name,
            source_feed_id: event.source_feed_id,
            source_uid: event.source_uid,
            location: event.location,
            places: None,
            published_at: event.published_at,
            created_at: event.created_at,
            updated_at: event.updated_at,
            image: None,
        }
    }
}

/// One occurrence in the public calendar.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OccurrenceItem {
    pub occurrence_id: Uuid,
    pub event_id: Uuid,
    pub season_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub description_en: String,
    pub categories: Vec<Category>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub place: Option<PlaceView>,
    /// Where it takes place in words, when it has no space of ours (imported events).
    pub location: Option<String>,
    pub accessibility_notes: String,
    pub price_cents: u32,
    pub free: bool,
    pub organisation: Option<String>,
    /// `scheduled` or `cancelled` (the occurrence, or its whole event, was called off).
    pub status: String,
    /// The event's image, or `null`.
    #[serde(default)]
    pub image: Option<ImageView>,
}

impl OccurrenceItem {
    /// What every occurrence of `event` shows alike; [`OccurrenceItem::at`] fills in one.
    pub fn template(event: &events::Model, space: Option<&spaces::Model>) -> Self {
        Self {
            occurrence_id: Uuid::nil(),
            event_id: event.id,
            season_id: event.season_id,
            programme_id: event.programme_id,
            title: event.title.clone(),
            description: event.description.clone(),
            description_en: event.description_en.clone(),
            categories: categories_of(&event.categories),
            age_min: small(event.age_min),
            age_max: small(event.age_max),
            starts_at: event.starts_at,
            ends_at: event.ends_at,
            time_zone: event.time_zone.clone(),
            place: space.map(PlaceView::from),
            location: event.location.clone(),
            accessibility_notes: event.accessibility_notes.clone(),
            price_cents: u32::try_from(event.price_cents).unwrap_or(0),
            free: event.price_cents <= 0,
            organisation: event.organisation_name.clone(),
            status: if event.status == EventStatus::Cancelled.as_str() {
                crate::domain::CANCELLED.into()
            } else {
                String::new()
            },
            image: None,
        }
    }

    /// This template at one occurrence.
    pub fn at(&self, occurrence: &occurrences::Brief) -> Self {
        let mut item = self.clone();
        item.occurrence_id = occurrence.id;
        item.starts_at = occurrence.starts_at;
        item.ends_at = occurrence.ends_at;
        if item.status.is_empty() {
            item.status = occurrence.status.clone();
        }
        item
    }
}
