//! Calls for ideas for a season, and the proposals operators send to them.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE calls (
                id UUID PRIMARY KEY,
                season_id UUID NOT NULL REFERENCES seasons (id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                opens_at TIMESTAMPTZ NOT NULL,
                closes_at TIMESTAMPTZ NOT NULL,
                created_by UUID NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                CHECK (closes_at > opens_at)
            );
            CREATE INDEX calls_season ON calls (season_id);
            CREATE TABLE proposals (
                id UUID PRIMARY KEY,
                call_id UUID NOT NULL REFERENCES calls (id),
                organisation_id UUID,
                organisation_name TEXT,
                contact_email TEXT NOT NULL,
                submitted_by UUID NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                categories JSONB NOT NULL,
                age_min INTEGER,
                age_max INTEGER,
                capacity INTEGER,
                weekday TEXT NOT NULL,
                starts_time TEXT NOT NULL,
                ends_time TEXT NOT NULL,
                sessions INTEGER,
                space_id UUID,
                status TEXT NOT NULL,
                decision_reason TEXT,
                event_ids JSONB NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                decided_at TIMESTAMPTZ
            );
            CREATE INDEX proposals_call ON proposals (call_id, created_at);",
            "CREATE TABLE calls (
                id BLOB PRIMARY KEY,
                season_id BLOB NOT NULL REFERENCES seasons (id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                opens_at TEXT NOT NULL,
                closes_at TEXT NOT NULL,
                created_by BLOB NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX calls_season ON calls (season_id);
            CREATE TABLE proposals (
                id BLOB PRIMARY KEY,
                call_id BLOB NOT NULL REFERENCES calls (id),
                organisation_id BLOB,
                organisation_name TEXT,
                contact_email TEXT NOT NULL,
                submitted_by BLOB NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                categories TEXT NOT NULL,
                age_min INTEGER,
                age_max INTEGER,
                capacity INTEGER,
                weekday TEXT NOT NULL,
                starts_time TEXT NOT NULL,
                ends_time TEXT NOT NULL,
                sessions INTEGER,
                space_id BLOB,
                status TEXT NOT NULL,
                decision_reason TEXT,
                event_ids TEXT NOT NULL,
                created_at TEXT NOT NULL,
                decided_at TEXT
            );
            CREATE INDEX proposals_call ON proposals (call_id, created_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "DROP TABLE proposals; DROP TABLE calls;").await
    }
}
