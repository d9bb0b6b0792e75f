//! The spaces the scheduler knows (its copy of booking's catalogue, kept from `space.*`
//! messages), for the forms that place an event.

use crate::{db::spaces, error::SchedulerError, state::AppState};
use sea_orm::{EntityTrait, QueryOrder};

/// Every space known, by name.
pub async fn list(state: &AppState) -> Result<Vec<spaces::Model>, SchedulerError> {
    Ok(spaces::Entity::find()
        .order_by_asc(spaces::Column::Name)
        .all(state.db.conn())
        .await?)
}
