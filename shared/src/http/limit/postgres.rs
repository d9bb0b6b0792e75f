//! Rate-limit counters in PostgreSQL, shared by every replica of a service: one row per key in
//! the service schema's UNLOGGED `rate_limits` table (migration `m20261206_000002_rate_limits`).
//! Windows are measured by the database's clock, so replicas whose clocks drift still agree on
//! when a window ends. A crash of the database empties the table (UNLOGGED), which only forgets
//! counts that live a minute anyway, and spares the write-ahead log a write per request.

use super::{Count, LimitStore};
use crate::db::Db;
use anyhow::Context;
use std::time::Duration;

/// How long one count may take before the limiter gives up on it and lets the request through:
/// a database that hangs must not hang every login with it.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(2);

/// Counts `$2` more hits for key `$1` in its window of `$3` seconds, starting a new window when
/// the last one is over, in one statement: concurrent requests on any replica serialise on the
/// row, so none of them is lost.
const ADD: &str = "INSERT INTO rate_limits AS r (key, window_start, hits)
    VALUES ($1, now(), $2)
    ON CONFLICT (key) DO UPDATE SET
        window_start = CASE WHEN r.window_start + make_interval(secs => $3) <= now()
                            THEN now() ELSE r.window_start END,
        hits = CASE WHEN r.window_start + make_interval(secs => $3) <= now()
                    THEN $2 ELSE r.hits + $2 END
    RETURNING hits,
        EXTRACT(EPOCH FROM r.window_start + make_interval(secs => $3) - now())::float8";

const RESET: &str = "DELETE FROM rate_limits WHERE key = $1";

const PRUNE: &str =
    "DELETE FROM rate_limits WHERE window_start + make_interval(secs => $1) <= now()";

/// Counters in one service's PostgreSQL schema.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    db: Db,
}

impl PostgresStore {
    /// Counts in `db`'s `rate_limits` table, which its migrations made.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn pool(&self) -> &sqlx::PgPool {
        self.db.conn().get_postgres_connection_pool()
    }
}

#[async_trait::async_trait]
impl LimitStore for PostgresStore {
    async fn add(&self, key: &str, add: u32, window: Duration) -> anyhow::Result<Count> {
        let query = sqlx::query_as::<_, (i64, f64)>(ADD)
            .bind(key)
            .bind(i64::from(add))
            .bind(window.as_secs_f64())
            .fetch_one(self.pool());
        let (hits, left) = tokio::time::timeout(STATEMENT_TIMEOUT, query)
            .await
            .context("counting a rate limit took too long")?
            .context("counting a rate limit")?;
        Ok(Count {
            hits: u64::try_from(hits).unwrap_or(0),
            resets_in: Duration::try_from_secs_f64(left.max(0.0)).unwrap_or(window),
        })
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let query = sqlx::query(RESET).bind(key).execute(self.pool());
        tokio::time::timeout(STATEMENT_TIMEOUT, query)
            .await
            .context("clearing a rate limit took too long")?
            .context("clearing a rate limit")?;
        Ok(())
    }

    async fn prune(&self, window: Duration) -> anyhow::Result<u64> {
        let done = sqlx::query(PRUNE)
            .bind(window.as_secs_f64())
            .execute(self.pool())
            .await
            .context("pruning ended rate-limit windows")?;
        Ok(done.rows_affected())
    }
}
