//! `closures`: times a space cannot be booked (works, holidays), with a reason. A recurring
//! closure is one row per occurrence sharing a `series_id`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "closures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub reason: String,
    pub created_at: DateTimeUtc,
    pub series_id: Option<Uuid>,
    /// The RRULE the series was made from.
    pub recurrence: Option<String>,
    /// The sector it comes from (`maintenance` for works).
    pub sector: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
