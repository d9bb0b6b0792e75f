//! The tables every service keeps of sessions ended before their tokens expire (see
//! `piazza_shared::auth::sessions`): per account the lowest session version still valid, and the
//! sessions a logout ended.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "CREATE TABLE revoked_accounts (
                account_id {uuid} PRIMARY KEY,
                session_version {bigint} NOT NULL,
                changed_at {instant} NOT NULL
            );
            CREATE TABLE revoked_sessions (
                session_id {uuid} PRIMARY KEY,
                account_id {uuid} NOT NULL,
                expires_at {instant} NOT NULL
            );
            CREATE INDEX revoked_sessions_expires_at ON revoked_sessions (expires_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE revoked_sessions; DROP TABLE revoked_accounts;",
        )
        .await
    }
}
