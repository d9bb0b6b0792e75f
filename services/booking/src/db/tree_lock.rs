//! The lock that keeps the space tree and its closures still while a booking is checked and
//! written.
//!
//! Which spaces a booking holds depends on the tree (its space and every space inside it), and
//! whether it may be held depends on closures of the space, its ancestors and descendants. A
//! booking therefore takes the lock *shared*: bookings run side by side, and PostgreSQL's
//! exclusion constraint on `holds` settles them among themselves. Whatever changes the tree or
//! adds closures (a new space under another, a move, new buffers, a closure) takes it
//! *exclusive*, so it never sees a booking half written and no booking sees it half done.
//!
//! It is one lock, always taken before any row lock of the booking tables except the
//! organisation's quota lock (which tree changes never take), so two transactions cannot wait
//! for each other in a cycle. On PostgreSQL it is a transaction-level advisory lock keyed by the
//! service's schema (parallel deployments in one database do not share it); on SQLite write
//! transactions are serialised by [`piazza_shared::db::Db::begin`] and the lock is a no-op.

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement};

/// The first key of the advisory lock (the second is the schema's hash): "tree" in ASCII.
const TREE_LOCK_CLASS: i32 = 0x7472_6565;

async fn take(conn: &impl ConnectionTrait, function: &str) -> Result<(), DbErr> {
    if conn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let sql = format!("SELECT {function}($1, hashtext(current_schema()))");
    conn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        sql,
        [TREE_LOCK_CLASS.into()],
    ))
    .await?;
    Ok(())
}

/// For the rest of the transaction, the tree and the closures do not change (bookings).
pub async fn share(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    take(conn, "pg_advisory_xact_lock_shared").await
}

/// For the rest of the transaction, no booking is being placed (tree changes, closures).
pub async fn exclusive(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    take(conn, "pg_advisory_xact_lock").await
}
