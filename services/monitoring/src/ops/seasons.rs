//! Keeping the seasons as the scheduler tells them: the latest message for a season wins, and an
//! older one that arrives after it changes nothing.

use crate::db::seasons;
use chrono::{DateTime, Utc};
use piazza_shared::contracts::season::SeasonChanged;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait};

/// Takes `season` as a message sent at `time` tells it.
pub async fn record(
    conn: &impl ConnectionTrait,
    season: &SeasonChanged,
    time: DateTime<Utc>,
) -> Result<(), DbErr> {
    let known = seasons::Entity::find_by_id(season.season_id)
        .one(conn)
        .await?;
    if known.as_ref().is_some_and(|k| k.updated_at > time) {
        return Ok(());
    }
    let row = seasons::Model {
        season_id: season.season_id,
        name: season.name.clone(),
        starts_on: season.starts_on,
        ends_on: season.ends_on,
        status: season.status.clone(),
        updated_at: time,
    };
    let active = seasons::ActiveModel::from(row).reset_all();
    if known.is_some() {
        seasons::Entity::update(active).exec(conn).await?;
    } else {
        seasons::Entity::insert(active)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
