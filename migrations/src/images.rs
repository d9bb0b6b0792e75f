//! The image table a service keeps for its events or spaces (see `piazza_shared::images::store`):
//! the same columns for both, so one statement is written here and named per service.

use crate::sql;
use sea_orm_migration::prelude::*;

/// Creates `table`, one image per row of `owner_table`, keyed by `owner` and removed with it.
pub async fn create(
    manager: &SchemaManager<'_>,
    table: &str,
    owner: &str,
    owner_table: &str,
) -> Result<(), DbErr> {
    let statement = |id: &str, bytes: &str, instant: &str| {
        format!(
            "CREATE TABLE {table} (
                {owner} {id} PRIMARY KEY REFERENCES {owner_table} (id) ON DELETE CASCADE,
                alt TEXT NOT NULL,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                small {bytes} NOT NULL,
                large {bytes} NOT NULL,
                content_hash TEXT NOT NULL,
                updated_at {instant} NOT NULL
            )"
        )
    };
    sql::run(
        manager,
        &statement("UUID", "BYTEA", "TIMESTAMPTZ"),
        &statement("BLOB", "BLOB", "TEXT"),
    )
    .await
}

/// Drops `table`.
pub async fn drop(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    sql::both(manager, &format!("DROP TABLE {table}")).await
}
