//! The inbox: the ids of messages a service has already handled, written in the same transaction
//! as the handling, so a redelivered message changes nothing the second time. Ids are kept for
//! `bus.inbox_retention_days`, then pruned.

use crate::envelope::Envelope;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Set, sea_query::OnConflict,
};

/// The `inbox` table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "inbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub message_id: Uuid,
        pub event_type: String,
        pub handled_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Records `envelope` as handled; `false` when it already was (then do nothing else).
pub async fn claim(conn: &impl ConnectionTrait, envelope: &Envelope) -> Result<bool, DbErr> {
    let row = entity::ActiveModel {
        message_id: Set(envelope.id),
        event_type: Set(envelope.event_type.clone()),
        handled_at: Set(crate::clock::now()),
    };
    let inserted = entity::Entity::insert(row)
        .on_conflict(
            OnConflict::column(entity::Column::MessageId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// Ids deleted per statement when pruning: each batch is its own short transaction, so pruning
/// a large inbox never holds a lock for long (on SQLite, other writers get in between batches).
const PRUNE_BATCH: u64 = 1000;

/// How often a service prunes its inbox (also once at start).
pub const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Deletes the ids of messages handled before `before`, in batches; returns how many.
pub async fn prune(db: &crate::db::Db, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let mut pruned = 0;
    loop {
        let stale = entity::Entity::find()
            .select_only()
            .column(entity::Column::MessageId)
            .filter(entity::Column::HandledAt.lt(before))
            .order_by_asc(entity::Column::HandledAt)
            .limit(PRUNE_BATCH)
            .into_query();
        let deleted = entity::Entity::delete_many()
            .filter(entity::Column::MessageId.in_subquery(stale))
            .exec(db.conn())
            .await?
            .rows_affected;
        pruned += deleted;
        if deleted < PRUNE_BATCH {
            return Ok(pruned);
        }
        tokio::task::yield_now().await;
    }
}

/// Prunes `service`'s inbox at start and every [`PRUNE_EVERY`] until `shutdown`, keeping the ids
/// of the last `retention`: long enough that a redelivered or republished message is still
/// recognised (see `bus.inbox_retention_days`).
#[tracing::instrument(name = "inbox_pruner", skip_all, fields(service = service))]
pub async fn run_pruner(
    service: &'static str,
    db: crate::db::Db,
    retention: chrono::Duration,
    shutdown: tokio_util::sync::CancellationToken,
) {
    loop {
        let before = crate::clock::now() - retention;
        match prune(&db, before).await {
            Ok(0) => {}
            Ok(pruned) => {
                metrics::counter!("piazza_inbox_pruned_total", "service" => service)
                    .increment(pruned);
                tracing::info!(pruned, %before, "inbox pruned");
            }
            // Nothing is lost by pruning later: try again at the next round.
            Err(error) => tracing::warn!(%error, "could not prune the inbox"),
        }
        tokio::select! {
            _ = tokio::time::sleep(PRUNE_EVERY) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}
