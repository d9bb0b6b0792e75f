//! `proposals`: an operator's idea sent to a call, with its preferred weekly slot and space.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "proposals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub call_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    pub contact_email: String,
    pub submitted_by: Uuid,
    pub title: String,
    pub description: String,
    /// JSON array of category names.
    pub categories: Json,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub capacity: Option<i32>,
    /// `mon` … `sun`.
    pub weekday: String,
    /// Local `HH:MM`.
    pub starts_time: String,
    pub ends_time: String,
    /// How many weekly sessions; `None` means every week to the end of the season.
    pub sessions: Option<i32>,
    pub space_id: Option<Uuid>,
    /// `submitted`, `accepted` or `declined`.
    pub status: String,
    pub decision_reason: Option<String>,
    /// JSON array of the draft events an acceptance created.
    pub event_ids: Json,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    /// The idea from a person without an account it was made from (see `db::ideas`).
    pub idea_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
