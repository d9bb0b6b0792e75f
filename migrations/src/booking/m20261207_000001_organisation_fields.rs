//! The fields an organisation works in (event category codes, a JSON list): operators of an
//! organisation hear of calls for ideas opened in one of them.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE organisations ADD COLUMN fields JSONB NOT NULL DEFAULT '[]'",
            "ALTER TABLE organisations ADD COLUMN fields TEXT NOT NULL DEFAULT '[]'",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "ALTER TABLE organisations DROP COLUMN fields").await
    }
}
