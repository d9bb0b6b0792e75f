//! Date exceptions to weekly opening hours (a holiday closed, an evening opened late) and
//! recurring closures: a recurring closure is stored one row per occurrence, sharing a
//! `series_id`, so every query that reads closures honours it without expanding rules.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE opening_exceptions (
                id UUID PRIMARY KEY,
                space_id UUID NOT NULL REFERENCES spaces (id),
                on_date TEXT NOT NULL,
                hours JSONB NOT NULL,
                reason TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                UNIQUE (space_id, on_date)
            );
            ALTER TABLE closures ADD COLUMN series_id UUID;
            ALTER TABLE closures ADD COLUMN recurrence TEXT;
            CREATE INDEX closures_series ON closures (series_id);
            CREATE INDEX holds_space_time ON holds (space_id, starts_at);",
            "CREATE TABLE opening_exceptions (
                id BLOB PRIMARY KEY,
                space_id BLOB NOT NULL REFERENCES spaces (id),
                on_date TEXT NOT NULL,
                hours TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (space_id, on_date)
            );
            ALTER TABLE closures ADD COLUMN series_id BLOB;
            ALTER TABLE closures ADD COLUMN recurrence TEXT;
            CREATE INDEX closures_series ON closures (series_id);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "DROP INDEX holds_space_time; DROP INDEX closures_series;
             ALTER TABLE closures DROP COLUMN recurrence; ALTER TABLE closures DROP COLUMN series_id;
             DROP TABLE opening_exceptions;",
            "DROP INDEX closures_series;
             ALTER TABLE closures DROP COLUMN recurrence; ALTER TABLE closures DROP COLUMN series_id;
             DROP TABLE opening_exceptions;",
        )
        .await
    }
}
