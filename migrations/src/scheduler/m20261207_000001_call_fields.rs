//! The fields a call for ideas asks ideas in (event category codes, a JSON list), carried by
//! `piazza.call.opened` so the operators working in them are told.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE calls ADD COLUMN fields JSONB NOT NULL DEFAULT '[]'",
            "ALTER TABLE calls ADD COLUMN fields TEXT NOT NULL DEFAULT '[]'",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "ALTER TABLE calls DROP COLUMN fields").await
    }
}
