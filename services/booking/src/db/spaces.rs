//! `spaces`: rooms, halls, labs, courtyards and squares; a space may sit inside another.

use crate::domain::SpaceStatus;
use chrono_tz::Tz;
use piazza_shared::{contracts::FundingLine, time::parse_zone};
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

/// The funding line of the space `id` (none when it has none or is unknown), for the messages
/// about its bookings.
pub async fn funding_line(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<FundingLine>, DbErr> {
    Ok(Entity::find_by_id(id)
        .one(conn)
        .await?
        .and_then(|s| s.funding_line()))
}

impl Model {
    /// Whether the space takes bookings now (an unknown stored status does not).
    pub fn is_open(&self) -> bool {
        SpaceStatus::parse(&self.status) == Some(SpaceStatus::Open)
    }

    /// The line of funding that paid for the space's reactivation, as other services hear it
    /// (the stored codes are the shared ones).
    pub fn funding_line(&self) -> Option<FundingLine> {
        self.funding.as_deref().and_then(FundingLine::parse)
    }

    /// The space's own time zone, or `default` if the stored name is unknown.
    pub fn zone(&self, default: Tz) -> Tz {
        parse_zone(&self.time_zone).unwrap_or(default)
    }
}
