//! The times a space cannot be booked, read in one query: the holds of the space and of every
//! space inside it, and the closures of the space, its ancestors and descendants. The tree is
//! walked by the database (a recursive query over `parent_id`) rather than loaded whole, so an
//! availability request costs one round trip for all of it.

use super::tree::walk_sql;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use uuid::Uuid;

/// `$1` the space, `$2` and `$3` the range (the driver sends their types); written for
/// PostgreSQL, numbered `?N` for SQLite. `{IN}`: PostgreSQL plans `IN (recursive query)` as a
/// hash join over every hold in the range, of any space (15 ms over 50,000 holds), so there the
/// ids become one array computed first, `= ANY (ARRAY(…))`, and the (space_id, starts_at) index
/// is used (2 ms). SQLite has no arrays and uses the index for `IN` anyway.
/// The tree is walked by [`walk_sql`].
const BUSY: &str = "
    SELECT starts_at, ends_at FROM holds
     WHERE space_id {IN} (SELECT id FROM inside) AND starts_at < $3 AND ends_at > $2
    UNION ALL
    SELECT starts_at, ends_at FROM closures
     WHERE space_id {IN} (SELECT id FROM inside UNION SELECT id FROM around)
       AND starts_at < $3 AND ends_at > $2";

/// Held and closed intervals meeting `[from, to)` for a booking of `space`, unsorted.
pub async fn busy(
    conn: &impl ConnectionTrait,
    space: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = format!("{}{BUSY}", walk_sql("$1"));
    let sql = match backend {
        // SQLite reads `$1` as a name, numbered by first appearance; `?1` is by position.
        DbBackend::Sqlite => sql.replace('$', "?").replace("{IN}", "IN"),
        _ => sql
            .replace(
                "{IN} (SELECT id FROM inside)",
                "= ANY (ARRAY(SELECT id FROM inside))",
            )
            .replace(
                "{IN} (SELECT id FROM inside UNION SELECT id FROM around)",
                "= ANY (ARRAY(SELECT id FROM inside UNION SELECT id FROM around))",
            ),
    };
    let statement =
        Statement::from_sql_and_values(backend, sql, [space.into(), from.into(), to.into()]);
    conn.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<DateTime<Utc>>("", "starts_at")?,
                row.try_get::<DateTime<Utc>>("", "ends_at")?,
            ))
        })
        .collect()
}
