//! `monitoring_seasons`: the scheduler's seasons as `season.changed` tells them (the latest
//! message for a season wins), so indicators can be reported per season by name and dates.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitoring_seasons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub season_id: Uuid,
    pub name: String,
    /// First day, in the Comune's time zone.
    pub starts_on: Date,
    /// Last day, included.
    pub ends_on: Date,
    /// The season's status in the scheduler (`planning`, `published`, `archived`).
    pub status: String,
    /// The time of the message it last took: an older one never overwrites it.
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Every season, as the indicators cut periods by them.
pub async fn spans(
    conn: &impl ConnectionTrait,
) -> Result<Vec<crate::domain::periods::SeasonSpan>, DbErr> {
    Ok(Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| crate::domain::periods::SeasonSpan {
            id: s.season_id,
            name: s.name,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
        })
        .collect())
}
