//! The intersectoral working group: the Comune's sectors (seeded with the strategy's eight),
//! which staff accounts belong to them, the sign-off rules an administrator writes (which
//! bookings wait for which sectors), each booking's sign-offs, and the sector a closure comes
//! from.

use crate::sql;
use piazza_shared::contracts::sector::KNOWN;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The seed rows for the known sectors (the names hold no quotes; doubled anyway).
fn seed() -> String {
    KNOWN
        .iter()
        .map(|s| {
            format!(
                "INSERT INTO sectors (code, name_it, name_en) VALUES ('{}', '{}', '{}');",
                s.code,
                s.it.replace('\'', "''"),
                s.en.replace('\'', "''")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "CREATE TABLE sectors (
                code TEXT PRIMARY KEY,
                name_it TEXT NOT NULL,
                name_en TEXT NOT NULL
            );
            CREATE TABLE account_sectors (
                account_id {uuid} NOT NULL,
                sector TEXT NOT NULL REFERENCES sectors (code),
                PRIMARY KEY (account_id, sector)
            );
            CREATE TABLE signoff_rules (
                id {uuid} PRIMARY KEY,
                name TEXT NOT NULL,
                space_kind TEXT,
                min_attendees INTEGER,
                space_id {uuid},
                sectors TEXT NOT NULL,
                created_at {instant} NOT NULL
            );
            CREATE TABLE booking_signoffs (
                booking_id {uuid} NOT NULL,
                sector TEXT NOT NULL,
                status TEXT NOT NULL,
                decided_by {uuid},
                decided_at {instant},
                reason TEXT,
                PRIMARY KEY (booking_id, sector)
            );
            CREATE INDEX booking_signoffs_queue ON booking_signoffs (sector, status);
            ALTER TABLE closures ADD COLUMN sector TEXT;",
        )
        .await?;
        sql::both(manager, &seed()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "ALTER TABLE closures DROP COLUMN sector;
            DROP TABLE booking_signoffs;
            DROP TABLE signoff_rules;
            DROP TABLE account_sectors;
            DROP TABLE sectors;",
        )
        .await
    }
}
