//! `events`: what is on; `starts_at`/`ends_at` are those of the first occurrence.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub season_id: Option<Uuid>,
    pub title: String,
    /// Italian description (the default language).
    pub description: String,
    /// English description; empty when not translated.
    pub description_en: String,
    /// JSON array of category names.
    pub categories: Json,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub capacity: Option<i32>,
    pub time_zone: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub recurrence: Option<String>,
    pub space_id: Option<Uuid>,
    /// `none`, `pending`, `confirmed` or `unavailable`.
    pub space_status: String,
    pub space_reason: Option<String>,
    pub status: String,
    /// Why the event was cancelled.
    pub cancel_reason: Option<String>,
    /// The organising operator's organisation (also the one that proposed it).
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    pub contact_email: Option<String>,
    pub created_by: Uuid,
    /// Correlation id of the slot request in flight; answers with another id are stale.
    pub slot_correlation: Option<String>,
    pub slot_requested_at: Option<DateTimeUtc>,
    /// RFC 5545 SEQUENCE: grows on every change calendar clients should notice.
    pub sequence: i32,
    /// When it first became public; unpublished events are invisible to the public.
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Step-free access, hearing loop, sign language… in free text.
    pub accessibility_notes: String,
    /// Ticket price in euro cents; 0 means free.
    pub price_cents: i32,
    /// `fesr`, `fse_plus` or `other`.
    pub funding_line: Option<String>,
    pub programme_id: Option<Uuid>,
    /// Whether people may queue once the event is full.
    pub waitlist: bool,
    /// Minutes before the start that registrations close; `None` means the configured default.
    pub registration_closes_minutes: Option<i32>,
    /// JSON array of local wall times (`YYYY-MM-DDTHH:MM:SS`) the rule skips (RFC 5545 EXDATE).
    pub exdates: Json,
    /// The feed an imported event came from, and its UID there.
    pub source_feed_id: Option<Uuid>,
    pub source_uid: Option<String>,
    /// Where it takes place in words, when it has no space of ours (imported events).
    pub location: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
