//! Running a migration step written out for each database, or written once with its column
//! types as placeholders that [`portable`] spells for the database at hand.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};
use sea_orm_migration::SchemaManager;

/// Runs `postgres` or `sqlite` (each may hold several statements) as the backend requires.
pub async fn run(manager: &SchemaManager<'_>, postgres: &str, sqlite: &str) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let text = match manager.get_database_backend() {
        DatabaseBackend::Postgres => postgres,
        _ => sqlite,
    };
    conn.execute_unprepared(text).await.map(|_| ())
}

/// Runs the same SQL on both databases.
pub async fn both(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    run(manager, sql, sql).await
}

/// Column types spelled per database: `(placeholder, PostgreSQL, SQLite)`. SQLite stores UUIDs
/// as blobs, instants as RFC 3339 text and booleans as integers, as sea-orm reads them.
const TYPES: [(&str, &str, &str); 4] = [
    ("{uuid}", "UUID", "BLOB"),
    ("{instant}", "TIMESTAMPTZ", "TEXT"),
    ("{bool}", "BOOLEAN", "INTEGER"),
    ("{bigint}", "BIGINT", "INTEGER"),
];

/// `sql` with its type placeholders spelled for PostgreSQL (`postgres`) or SQLite.
fn spelled(sql: &str, postgres: bool) -> String {
    TYPES
        .iter()
        .fold(sql.to_string(), |text, (placeholder, pg, lite)| {
            text.replace(placeholder, if postgres { pg } else { lite })
        })
}

/// Runs `sql`, written once with `{uuid}`, `{instant}`, `{bool}` and `{bigint}` for its column
/// types, on either database.
pub async fn portable(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    run(manager, &spelled(sql, true), &spelled(sql, false)).await
}

#[cfg(test)]
mod tests {
    use super::spelled;

    #[test]
    fn placeholders_are_spelled_for_each_database() {
        let sql = "CREATE TABLE t (id {uuid} PRIMARY KEY, at {instant}, on {bool}, n {bigint})";
        assert_eq!(
            spelled(sql, true),
            "CREATE TABLE t (id UUID PRIMARY KEY, at TIMESTAMPTZ, on BOOLEAN, n BIGINT)"
        );
        assert_eq!(
            spelled(sql, false),
            "CREATE TABLE t (id BLOB PRIMARY KEY, at TEXT, on INTEGER, n INTEGER)"
        );
    }
}
