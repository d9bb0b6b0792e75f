//! Keeps the scheduler's copy of the spaces booking announces.

use crate::db::spaces;
use piazza_shared::{bus::HandleError, contracts::space::SpaceInfo};
use sea_orm::{DatabaseTransaction, EntityTrait, sea_query::OnConflict};

pub async fn upsert(txn: &DatabaseTransaction, space: &SpaceInfo) -> Result<(), HandleError> {
    let model = spaces::Model {
        id: space.space_id,
        name: space.name.clone(),
        building: space.building.clone(),
        address: space.address.clone(),
        capacity: i32::try_from(space.capacity).unwrap_or(i32::MAX),
        time_zone: space.time_zone.clone(),
        status: space.status.clone(),
        updated_at: piazza_shared::clock::now(),
    };
    spaces::Entity::insert(spaces::ActiveModel::from(model))
        .on_conflict(
            OnConflict::column(spaces::Column::Id)
                .update_columns([
                    spaces::Column::Name,
                    spaces::Column::Building,
                    spaces::Column::Address,
                    spaces::Column::Capacity,
                    spaces::Column::TimeZone,
                    spaces::Column::Status,
                    spaces::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}
