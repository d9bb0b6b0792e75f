//! Recognising database errors that mean something to a caller: a unique or exclusion
//! constraint that refused a row, or a database that cannot be reached.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

fn database_code(error: &DbErr) -> Option<String> {
    let runtime = match error {
        DbErr::Exec(e) | DbErr::Query(e) | DbErr::Conn(e) => e,
        _ => return None,
    };
    match runtime {
        RuntimeErr::SqlxError(e) => match e.as_ref() {
            sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// A unique constraint refused the row (PostgreSQL 23505, SQLite 2067/1555).
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// A PostgreSQL exclusion constraint refused the row (23P01): an overlapping slot exists.
/// Two transactions inserting overlapping rows at the same moment each see the other's row
/// and wait for each other; PostgreSQL breaks that tie by aborting one with a deadlock
/// (40P01), which means the same thing: the survivor holds an overlapping slot.
pub fn is_exclusion_violation(error: &DbErr) -> bool {
    matches!(database_code(error).as_deref(), Some("23P01" | "40P01"))
}

/// The database could not be reached or the pool had no connection to give in time.
pub fn is_connection_error(error: &DbErr) -> bool {
    let runtime = match error {
        // Opening a connection failed, whatever the reason: a server that went away in the
        // middle of the handshake shows as a protocol error, not only as an I/O one.
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    match runtime {
        RuntimeErr::SqlxError(e) => {
            matches!(
                e.as_ref(),
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            ) || matches!(e.as_ref(), sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("08") || c == "57P01"))
        }
        RuntimeErr::Internal(_) => false,
    }
}
