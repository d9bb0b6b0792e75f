//! Claims that belong to a sender: each notifier process registers in `senders` and beats there
//! while it works; a delivery it claims carries its id (`sender_id`). Another sender takes over
//! the claims of one whose heartbeat stopped. Deliveries whose outcome is unknown (the connection
//! broke after the email's data was sent) get their own state, `unknown`, and are never resent
//! by themselves.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE senders (
                id UUID PRIMARY KEY,
                beat BIGINT NOT NULL,
                started_at TIMESTAMPTZ NOT NULL,
                seen_at TIMESTAMPTZ NOT NULL
            );
            ALTER TABLE deliveries ADD COLUMN sender_id UUID;
            CREATE INDEX deliveries_sender ON deliveries (sender_id) WHERE state = 'sending';",
            "CREATE TABLE senders (
                id BLOB PRIMARY KEY,
                beat INTEGER NOT NULL,
                started_at TEXT NOT NULL,
                seen_at TEXT NOT NULL
            );
            ALTER TABLE deliveries ADD COLUMN sender_id BLOB;
            CREATE INDEX deliveries_sender ON deliveries (sender_id) WHERE state = 'sending';",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP INDEX deliveries_sender; ALTER TABLE deliveries DROP COLUMN sender_id;
            DROP TABLE senders;",
        )
        .await
    }
}
