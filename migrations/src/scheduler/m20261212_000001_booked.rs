//! `booked`: the scheduler's read model of the operators' bookings, one row per occurrence, kept
//! from `booking.*` messages, so the season planner shows them and an operator can propose an
//! event in one of its own, even while booking is briefly down.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "CREATE TABLE booked (
                id {uuid} PRIMARY KEY,
                series_id {uuid},
                space_id {uuid} NOT NULL,
                organisation_id {uuid},
                organisation_name TEXT,
                title TEXT NOT NULL,
                starts_at {instant} NOT NULL,
                ends_at {instant} NOT NULL,
                status TEXT NOT NULL,
                updated_at {instant} NOT NULL
            );
            CREATE INDEX booked_space_time ON booked (space_id, starts_at);
            CREATE INDEX booked_organisation ON booked (organisation_id, starts_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "DROP TABLE booked;").await
    }
}
