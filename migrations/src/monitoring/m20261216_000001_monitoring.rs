//! The monitoring's read model: one row per thing counted (a booked date, an occurrence, a
//! registration, a meeting…), keyed by its kind and the id its owner gave it, so every message
//! about it (again, late or as a snapshot) lands on the same row; and the seasons the indicators
//! are reported by. Nothing personal is kept: a person is a keyed hash of their address.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "CREATE TABLE monitoring_facts (
                kind TEXT NOT NULL,
                subject_id {uuid} NOT NULL,
                source_id {uuid},
                at {instant} NOT NULL,
                ends_at {instant},
                space_id {uuid},
                season_id {uuid},
                funding_line TEXT,
                age_band TEXT,
                person_key TEXT,
                amount {bigint} NOT NULL DEFAULT 1,
                extra {bigint} NOT NULL DEFAULT 0,
                live {bool} NOT NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (kind, subject_id)
            );
            CREATE INDEX monitoring_facts_at ON monitoring_facts (kind, at);
            CREATE INDEX monitoring_facts_source ON monitoring_facts (kind, source_id);",
        )
        .await?;
        sql::run(
            manager,
            "CREATE TABLE monitoring_seasons (
                season_id UUID PRIMARY KEY,
                name TEXT NOT NULL,
                starts_on DATE NOT NULL,
                ends_on DATE NOT NULL,
                status TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );",
            "CREATE TABLE monitoring_seasons (
                season_id BLOB PRIMARY KEY,
                name TEXT NOT NULL,
                starts_on TEXT NOT NULL,
                ends_on TEXT NOT NULL,
                status TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE monitoring_seasons; DROP TABLE monitoring_facts;",
        )
        .await
    }
}
