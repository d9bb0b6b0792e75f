//! A registration's age band (`age_band`, an `AgeBand` code such as `18_24`), from the birth year
//! a person may give when registering. Only the band is kept, never the year: it is what the
//! monitoring counts young people reached by, and no more than that is needed.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "ALTER TABLE registrations ADD COLUMN age_band TEXT",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "ALTER TABLE registrations DROP COLUMN age_band").await
    }
}
