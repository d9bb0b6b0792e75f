//! Ideas take the monitoring's age bands (`AgeBand`: `25_29` and `30_plus` at the top), where they
//! had their own (`25_34`, `35_plus`). `35_plus` lies wholly inside `30_plus`; `25_34` straddles
//! two bands and cannot be placed, so it becomes unknown rather than counted in the wrong one.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "UPDATE ideas SET age_band = '30_plus' WHERE age_band = '35_plus'",
        )
        .await?;
        sql::both(
            manager,
            "UPDATE ideas SET age_band = NULL WHERE age_band = '25_34'",
        )
        .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The old bands cannot be told back from the new ones; nothing to undo.
        Ok(())
    }
}
