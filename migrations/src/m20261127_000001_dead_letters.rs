//! The `dead_letters` table every service has: messages the in-process bus of the embedded mode
//! gave up on, kept across restarts for `piazza dead-letters list|replay`
//! (see `piazza_shared::bus::dead_letters`).

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE dead_letters (
                message_id UUID PRIMARY KEY,
                event_type TEXT NOT NULL,
                queue TEXT NOT NULL,
                payload TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                reason TEXT NOT NULL,
                parked_at TIMESTAMPTZ NOT NULL
            );",
            "CREATE TABLE dead_letters (
                message_id BLOB PRIMARY KEY,
                event_type TEXT NOT NULL,
                queue TEXT NOT NULL,
                payload TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                reason TEXT NOT NULL,
                parked_at TEXT NOT NULL
            );",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "DROP TABLE dead_letters;").await
    }
}
