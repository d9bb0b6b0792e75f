//! Dead letters: messages a consumer gave up on after its last attempt, kept for an administrator
//! to look at and replay (`piazza dead-letters list|replay`). RabbitMQ keeps them in each
//! service's `<queue>.dead` queue; the in-process bus of the embedded mode keeps them in each
//! service's `dead_letters` table, so they outlive a restart.
//!
//! Replaying from the table puts the original envelope (same id) into the service's outbox: its
//! relay publishes it again, services that handled it already find the id in their inbox and skip
//! it, and the service that parked it handles it afresh.

use super::{DeadLetter, outbox};
use crate::{db::Db, envelope::Envelope};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    sea_query::OnConflict,
};
use serde::Serialize;
use uuid::Uuid;

/// One parked message as `piazza dead-letters list` shows it, from either store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parked {
    pub service: String,
    /// The envelope id (`-` for a RabbitMQ message that carried none and is not an envelope).
    pub id: String,
    /// The CloudEvents type (`-` when unknown).
    pub event_type: String,
    pub attempts: u32,
    pub reason: String,
    /// When it was parked, when known.
    pub parked_at: Option<DateTime<Utc>>,
}

/// The `dead_letters` table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dead_letters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub message_id: Uuid,
        pub event_type: String,
        pub queue: String,
        /// The whole CloudEvents envelope as JSON, as it was delivered.
        pub payload: String,
        pub attempts: i32,
        pub reason: String,
        pub parked_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Stores `dead`; a message parked again (after a replay that failed too) replaces its row.
pub async fn park(conn: &impl ConnectionTrait, dead: &DeadLetter) -> Result<(), DbErr> {
    let row = entity::ActiveModel {
        message_id: Set(dead.envelope.id),
        event_type: Set(dead.envelope.event_type.clone()),
        queue: Set(dead.queue.clone()),
        payload: Set(String::from_utf8_lossy(&dead.envelope.to_bytes()).into_owned()),
        attempts: Set(i32::try_from(dead.attempts).unwrap_or(i32::MAX)),
        reason: Set(dead.reason.clone()),
        parked_at: Set(dead.parked_at),
    };
    entity::Entity::insert(row)
        .on_conflict(
            OnConflict::column(entity::Column::MessageId)
                .update_columns([
                    entity::Column::Queue,
                    entity::Column::Attempts,
                    entity::Column::Reason,
                    entity::Column::ParkedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Every parked message of `service`, oldest first.
pub async fn list(conn: &impl ConnectionTrait, service: &str) -> Result<Vec<Parked>, DbErr> {
    let rows = entity::Entity::find()
        .order_by_asc(entity::Column::ParkedAt)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Parked {
            service: service.to_string(),
            id: row.message_id.to_string(),
            event_type: row.event_type,
            attempts: u32::try_from(row.attempts).unwrap_or(0),
            reason: row.reason,
            parked_at: Some(row.parked_at),
        })
        .collect())
}

/// How many messages are parked, for `/metrics`.
pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    entity::Entity::find().count(conn).await
}

/// Sends the parked messages `ids` (all of them when `None`) back through the service's outbox,
/// under their original ids, and removes them from the table, in one transaction. Returns the
/// ids replayed.
pub async fn replay(db: &Db, ids: Option<&[Uuid]>) -> anyhow::Result<Vec<Uuid>> {
    let txn = db.begin().await?;
    let mut query = entity::Entity::find().order_by_asc(entity::Column::ParkedAt);
    if let Some(ids) = ids {
        query = query.filter(entity::Column::MessageId.is_in(ids.iter().copied()));
    }
    let rows = query.all(&*txn).await?;
    let mut replayed = Vec::with_capacity(rows.len());
    for row in rows {
        let envelope = Envelope::from_bytes(row.payload.as_bytes())
            .map_err(|e| anyhow::anyhow!("dead letter {} is unreadable: {e}", row.message_id))?;
        outbox::add_envelope_at(&*txn, &envelope, crate::clock::now()).await?;
        entity::Entity::delete_by_id(row.message_id)
            .exec(&*txn)
            .await?;
        replayed.push(row.message_id);
    }
    txn.commit().await?;
    Ok(replayed)
}
