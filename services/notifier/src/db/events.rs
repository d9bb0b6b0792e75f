//! `events`: the published events the notifier writes about, kept up to date from `event.*`.

use crate::domain::EventStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event as announced (`EventSummary`).
    pub summary: Json,
    pub first_starts_at: DateTimeUtc,
    pub published_at: DateTimeUtc,
    /// `published` or `cancelled` (the whole event).
    pub status: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored status; only `cancelled` takes an event out (as the notifier always read it).
    pub fn status(&self) -> EventStatus {
        EventStatus::parse(&self.status).unwrap_or(EventStatus::Published)
    }
}
