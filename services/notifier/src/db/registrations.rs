//! `registrations`: the notifier's copy of people's places at events (from `registration.*`),
//! so it can remind them and tell them of changes. The scheduler owns the originals.

use crate::domain::RegistrationStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The event or pathway registered for.
    pub event_id: Uuid,
    /// The one occurrence registered for; `None` for all of them.
    pub occurrence_id: Option<Uuid>,
    /// Lower-cased.
    pub email: String,
    pub name: String,
    pub language: String,
    /// `waitlisted`, `confirmed` or `cancelled`.
    pub status: String,
    /// The person's own signed link to cancel, from the scheduler.
    pub cancel_url: Option<String>,
    /// When the notifier first heard of it.
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored status; a value this code never writes reads as cancelled, which sends nothing.
    pub fn status(&self) -> RegistrationStatus {
        RegistrationStatus::parse(&self.status).unwrap_or(RegistrationStatus::Cancelled)
    }
}
