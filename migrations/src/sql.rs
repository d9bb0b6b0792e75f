//! Running a migration step written out for each database.

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
