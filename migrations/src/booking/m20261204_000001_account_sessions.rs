//! Accounts can be disabled, and carry the version of their sessions: raising it (a password,
//! role or organisation change, disabling) ends every token issued before.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE accounts ADD COLUMN session_version BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE accounts ADD COLUMN disabled_at TIMESTAMPTZ;",
            "ALTER TABLE accounts ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE accounts ADD COLUMN disabled_at TEXT;",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "ALTER TABLE accounts DROP COLUMN disabled_at;
            ALTER TABLE accounts DROP COLUMN session_version;",
        )
        .await
    }
}
