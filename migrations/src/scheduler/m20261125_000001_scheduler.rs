//! Spaces (as booking announced them), seasons, events and one row per occurrence.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE spaces (
                id UUID PRIMARY KEY,
                name TEXT NOT NULL,
                building TEXT NOT NULL,
                address TEXT NOT NULL,
                capacity INTEGER NOT NULL,
                time_zone TEXT NOT NULL,
                status TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE seasons (
                id UUID PRIMARY KEY,
                name TEXT NOT NULL,
                starts_on DATE NOT NULL,
                ends_on DATE NOT NULL,
                status TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                CHECK (ends_on >= starts_on)
            );
            CREATE TABLE events (
                id UUID PRIMARY KEY,
                season_id UUID REFERENCES seasons (id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                categories JSONB NOT NULL,
                age_min INTEGER,
                age_max INTEGER,
                capacity INTEGER,
                time_zone TEXT NOT NULL,
                starts_at TIMESTAMPTZ NOT NULL,
                ends_at TIMESTAMPTZ NOT NULL,
                recurrence TEXT,
                space_id UUID,
                space_status TEXT NOT NULL,
                space_reason TEXT,
                status TEXT NOT NULL,
                organisation_id UUID,
                organisation_name TEXT,
                contact_email TEXT,
                created_by UUID NOT NULL,
                slot_correlation TEXT,
                slot_requested_at TIMESTAMPTZ,
                sequence INTEGER NOT NULL,
                published_at TIMESTAMPTZ,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                CHECK (ends_at > starts_at)
            );
            CREATE INDEX events_season ON events (season_id);
            CREATE INDEX events_status ON events (status);
            CREATE TABLE occurrences (
                id UUID PRIMARY KEY,
                event_id UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                starts_at TIMESTAMPTZ NOT NULL,
                ends_at TIMESTAMPTZ NOT NULL,
                status TEXT NOT NULL,
                CHECK (ends_at > starts_at)
            );
            CREATE INDEX occurrences_event ON occurrences (event_id, starts_at);
            CREATE INDEX occurrences_time ON occurrences (starts_at);",
            "CREATE TABLE spaces (
                id BLOB PRIMARY KEY,
                name TEXT NOT NULL,
                building TEXT NOT NULL,
                address TEXT NOT NULL,
                capacity INTEGER NOT NULL,
                time_zone TEXT NOT NULL,
                status TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE TABLE seasons (
                id BLOB PRIMARY KEY,
                name TEXT NOT NULL,
                starts_on TEXT NOT NULL,
                ends_on TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE TABLE events (
                id BLOB PRIMARY KEY,
                season_id BLOB REFERENCES seasons (id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                categories TEXT NOT NULL,
                age_min INTEGER,
                age_max INTEGER,
                capacity INTEGER,
                time_zone TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                recurrence TEXT,
                space_id BLOB,
                space_status TEXT NOT NULL,
                space_reason TEXT,
                status TEXT NOT NULL,
                organisation_id BLOB,
                organisation_name TEXT,
                contact_email TEXT,
                created_by BLOB NOT NULL,
                slot_correlation TEXT,
                slot_requested_at TEXT,
                sequence INTEGER NOT NULL,
                published_at TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX events_season ON events (season_id);
            CREATE INDEX events_status ON events (status);
            CREATE TABLE occurrences (
                id BLOB PRIMARY KEY,
                event_id BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                status TEXT NOT NULL
            );
            CREATE INDEX occurrences_event ON occurrences (event_id, starts_at);
            CREATE INDEX occurrences_time ON occurrences (starts_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE occurrences; DROP TABLE events; DROP TABLE seasons; DROP TABLE spaces;",
        )
        .await
    }
}
