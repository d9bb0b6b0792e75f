//! The record of time-based job runs (so a restart neither repeats nor skips one) and the
//! external calendar feeds a season imports.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE job_runs (
                job TEXT NOT NULL,
                fire_wall TEXT NOT NULL,
                fire_at TIMESTAMPTZ NOT NULL,
                run_id UUID NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                started_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (job, fire_wall)
            );
            CREATE TABLE feeds (
                id UUID PRIMARY KEY,
                season_id UUID NOT NULL REFERENCES seasons (id),
                url TEXT NOT NULL,
                name TEXT NOT NULL,
                categories JSONB NOT NULL,
                age_min INTEGER,
                age_max INTEGER,
                etag TEXT,
                last_modified TEXT,
                last_fetched_at TIMESTAMPTZ,
                last_success_at TIMESTAMPTZ,
                last_error TEXT,
                failures INTEGER NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE UNIQUE INDEX feeds_season_url ON feeds (season_id, url);",
            "CREATE TABLE job_runs (
                job TEXT NOT NULL,
                fire_wall TEXT NOT NULL,
                fire_at TEXT NOT NULL,
                run_id BLOB NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                started_at TEXT NOT NULL,
                PRIMARY KEY (job, fire_wall)
            );
            CREATE TABLE feeds (
                id BLOB PRIMARY KEY,
                season_id BLOB NOT NULL REFERENCES seasons (id),
                url TEXT NOT NULL,
                name TEXT NOT NULL,
                categories TEXT NOT NULL,
                age_min INTEGER,
                age_max INTEGER,
                etag TEXT,
                last_modified TEXT,
                last_fetched_at TEXT,
                last_success_at TEXT,
                last_error TEXT,
                failures INTEGER NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE UNIQUE INDEX feeds_season_url ON feeds (season_id, url);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(manager, "DROP TABLE feeds; DROP TABLE job_runs;").await
    }
}
