//! `spaces`: rooms, halls, labs, courtyards and squares; a space may sit inside another.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "spaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub building: String,
    pub address: String,
    pub kind: String,
    pub capacity: i32,
    /// JSON array of strings.
    pub accessibility: Json,
    /// JSON array of strings.
    pub equipment: Json,
    pub time_zone: String,
    /// JSON array of `{ weekday, opens, closes }`.
    pub opening_hours: Json,
    pub status: String,
    pub funding: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub setup_minutes: i32,
    pub teardown_minutes: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
