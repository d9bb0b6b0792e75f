//! The `audit_log` table every service has: who did which administrative action when, with the
//! item before and after (see `piazza_shared::audit`).

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE audit_log (
                id UUID PRIMARY KEY,
                at TIMESTAMPTZ NOT NULL,
                actor_id UUID NOT NULL,
                actor_email TEXT NOT NULL,
                actor_role TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before TEXT,
                after TEXT
            );
            CREATE INDEX audit_log_at ON audit_log (at, id);",
            "CREATE TABLE audit_log (
                id BLOB PRIMARY KEY,
                at TEXT NOT NULL,
                actor_id BLOB NOT NULL,
                actor_email TEXT NOT NULL,
                actor_role TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                before TEXT,
                after TEXT
            );
            CREATE INDEX audit_log_at ON audit_log (at, id);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "DROP TABLE audit_log;").await
    }
}
