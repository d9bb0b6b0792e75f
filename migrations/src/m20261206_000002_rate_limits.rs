//! The table where every replica of a service counts rate limits on PostgreSQL (see
//! `piazza_shared::http::limit::PostgresStore`). UNLOGGED: counts that live a window are not
//! worth a write-ahead-log record per request, and a crash that empties the table only forgives
//! a minute of attempts. The embedded form counts in memory, so SQLite gets no table.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What SQLite runs: nothing to make.
const NOTHING: &str = "SELECT 1";

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE UNLOGGED TABLE rate_limits (
                key TEXT PRIMARY KEY,
                window_start TIMESTAMPTZ NOT NULL,
                hits BIGINT NOT NULL
            );
            CREATE INDEX rate_limits_window_start ON rate_limits (window_start);",
            NOTHING,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(manager, "DROP TABLE rate_limits;", NOTHING).await
    }
}
