//! A sender's stable name (host and listening port): a process restarted under the same name
//! takes back at once the emails its previous life had claimed, instead of waiting for the lease.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "ALTER TABLE senders ADD COLUMN name TEXT;").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "ALTER TABLE senders DROP COLUMN name;").await
    }
}
