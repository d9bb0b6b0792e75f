//! The outbox and inbox tables every service has (see `piazza_shared::bus`).

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE outbox (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id UUID NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE inbox (
                message_id UUID PRIMARY KEY,
                event_type TEXT NOT NULL,
                handled_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX inbox_handled_at ON inbox (handled_at);",
            "CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id BLOB NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE inbox (
                message_id BLOB PRIMARY KEY,
                event_type TEXT NOT NULL,
                handled_at TEXT NOT NULL
            );
            CREATE INDEX inbox_handled_at ON inbox (handled_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "DROP TABLE inbox; DROP TABLE outbox;").await
    }
}
