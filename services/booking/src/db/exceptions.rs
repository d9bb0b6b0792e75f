//! `opening_exceptions`: dates with their own opening hours (closed all day when none).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "opening_exceptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub space_id: Uuid,
    /// Local date `YYYY-MM-DD` in the space's zone (text sorts as dates do).
    pub on_date: String,
    /// JSON array of `{ opens, closes }`; empty means closed all day.
    pub hours: Json,
    pub reason: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
