//! `events`: what is on; `starts_at`/`ends_at` are those of the first occurrence.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub season_id: Option<Uuid>,
    pub title: String,
    pub description: String,
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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
