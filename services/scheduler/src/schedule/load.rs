//! Reading an event with its occurrences and place.

use crate::db::{events, occurrences, spaces};
use piazza_shared::http::ApiError;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// An event, every occurrence in time order, and its space as booking announced it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub event: events::Model,
    pub occurrences: Vec<occurrences::Model>,
    pub space: Option<spaces::Model>,
}

/// The event `id`, or 404.
pub async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Loaded, ApiError> {
    let event = events::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    finish(conn, event).await
}

/// The event `id` with its row locked for the transaction (PostgreSQL; SQLite's write
/// transactions are serialised anyway), so concurrent changes and registrations take turns.
pub async fn load_locked(conn: &impl ConnectionTrait, id: Uuid) -> Result<Loaded, ApiError> {
    let event = events::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    finish(conn, event).await
}

async fn finish(conn: &impl ConnectionTrait, event: events::Model) -> Result<Loaded, ApiError> {
    // An event that carries a pathway's sessions is not an event to anyone reading events: the
    // pathway module reads it through its own path (`crate::ops::pathways`).
    if crate::ops::pathways::is_pathway_event(conn, event.id).await? {
        return Err(ApiError::NotFound("event"));
    }
    finish_any(conn, event).await
}

/// The rest of the event, hidden or not.
async fn finish_any(conn: &impl ConnectionTrait, event: events::Model) -> Result<Loaded, ApiError> {
    let occurrences = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.eq(event.id))
        .order_by_asc(occurrences::Column::StartsAt)
        .order_by_asc(occurrences::Column::Id)
        .all(conn)
        .await?;
    let space = match event.space_id {
        Some(space) => spaces::Entity::find_by_id(space).one(conn).await?,
        None => None,
    };
    Ok(Loaded {
        event,
        occurrences,
        space,
    })
}
