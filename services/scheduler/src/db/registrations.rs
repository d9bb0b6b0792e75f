//! `registrations`: a person's place at an event or at a programme taken as a whole, or their
//! place in its waitlist (ordered by `queued_at`, then id). A weekly event is registered for by
//! date: each occurrence has its own places and waitlist.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    /// The one date registered for, for an event registered for by date (a weekly one).
    pub occurrence_id: Option<Uuid>,
    pub email: String,
    /// The address lowercased: one live registration per person and event or programme.
    pub email_key: String,
    pub name: String,
    /// `it` or `en`.
    pub language: String,
    /// `confirmed`, `waitlisted` or `cancelled`.
    pub status: String,
    pub queued_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// `person` (through the signed link) or `admin`.
    pub cancelled_by: Option<String>,
    /// The person's age band (an `AgeBand` code), when they gave a birth year; the year itself
    /// is not kept.
    pub age_band: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
