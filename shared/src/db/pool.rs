//! The connection pool of one service's database, and its write transactions (serialised in
//! the process on SQLite).

use crate::settings::Settings;
use anyhow::Context;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqlxPostgresConnector, SqlxSqliteConnector, TransactionTrait,
};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use std::{ops::Deref, str::FromStr, sync::Arc, time::Duration};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a pooled PostgreSQL connection may sit idle before it is pinged on its way out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

/// A service's database connection pool.
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    /// Serialises write transactions on SQLite; `None` on PostgreSQL, where row locks and
    /// constraints do that job across processes.
    write_lock: Option<Arc<Mutex<()>>>,
    /// Where this database lives, for messages (never contains a password).
    pub location: String,
}

/// A table no one reads: writing to it (nothing, in fact) is how a transaction takes SQLite's
/// write lock at its start.
const SQLITE_WRITE_INTENT_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS piazza_write_intent (n INTEGER NOT NULL)";
const SQLITE_TAKE_WRITE_LOCK: &str = "DELETE FROM piazza_write_intent WHERE n < 0";

/// A write transaction. On SQLite it holds the process-wide write lock until it ends.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl Deref for WriteTxn {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

impl Db {
    /// Connects to `service`'s database as the settings say, creating the SQLite file or the
    /// PostgreSQL schema when missing.
    pub async fn connect(settings: &Settings, service: &str) -> anyhow::Result<Self> {
        match &settings.database_url {
            Some(url) => {
                let schema = format!("{}{}", settings.database_schema_prefix, service);
                Self::connect_postgres(url.expose(), &schema, settings.database_max_connections)
                    .await
            }
            None => {
                let path = settings.data_dir.join(format!("{service}.db"));
                Self::connect_sqlite(&path, settings.database_max_connections).await
            }
        }
    }

    pub async fn connect_sqlite(path: &std::path::Path, max: u32) -> anyhow::Result<Self> {
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL is durable across a process crash, which is the failure we guard.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(max.max(2))
            .connect_with(options)
            .await
            .with_context(|| format!("opening SQLite database {}", path.display()))?;
        sqlx::query(SQLITE_WRITE_INTENT_TABLE)
            .execute(&pool)
            .await
            .with_context(|| format!("preparing SQLite database {}", path.display()))?;
        Ok(Self {
            conn: SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
            write_lock: Some(Arc::new(Mutex::new(()))),
            location: path.display().to_string(),
        })
    }

    pub async fn connect_postgres(url: &str, schema: &str, max: u32) -> anyhow::Result<Self> {
        let base = PgConnectOptions::from_str(url).context("parsing database_url")?;
        let location = format!(
            "postgres {}:{}/{} schema {schema}",
            base.get_host(),
            base.get_port(),
            base.get_database().unwrap_or("-")
        );
        // The schema must exist before connections use it as their search path.
        {
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(base.clone())
                .await
                .with_context(|| format!("connecting to {location}"))?;
            // The schema's name comes from the settings, which validate it as an identifier.
            let create = format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
            if let Err(error) = sqlx::query(sqlx::AssertSqlSafe(create))
                .execute(&admin)
                .await
            {
                // Two processes creating the same schema at once: the loser sees a unique
                // violation although the schema now exists.
                let exists: Option<(String,)> =
                    sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname = $1")
                        .bind(schema)
                        .fetch_optional(&admin)
                        .await?;
                if exists.is_none() {
                    return Err(error).with_context(|| format!("creating schema {schema}"));
                }
            }
            admin.close().await;
        }
        let options = base.options([("search_path", format!("\"{schema}\",public"))]);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            // A request waiting for a connection while the database is away should fail fast
            // with a 503 rather than hang.
            .acquire_timeout(Duration::from_secs(5))
            // Pinging every connection handed out costs a round trip per query, as much as the
            // query itself; only one that sat idle (where a restart or a dropped link is likely
            // to have killed it unseen) is pinged. Under load no connection idles that long.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for < PING_WHEN_IDLE_FOR {
                        return Ok(true);
                    }
                    Ok(sqlx::Connection::ping(conn).await.is_ok())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("connecting to {location}"))?;
        Ok(Self {
            conn: SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
            write_lock: None,
            location,
        })
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    pub fn is_postgres(&self) -> bool {
        self.backend() == DatabaseBackend::Postgres
    }

    /// Begins a write transaction (serialised with other writers on SQLite).
    ///
    /// On SQLite the transaction takes the database's write lock at once, as `BEGIN IMMEDIATE`
    /// would (sea-orm only says `BEGIN`): a deferred transaction that reads first cannot write
    /// later if any other connection wrote in between — SQLite answers SQLITE_BUSY at once
    /// instead of waiting, and a request would fail. Writes outside [`Db::begin`] (a heartbeat,
    /// a one-statement update) then wait their turn under the busy timeout.
    pub async fn begin(&self) -> Result<WriteTxn, DbErr> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        if guard.is_some() {
            txn.execute_unprepared(SQLITE_TAKE_WRITE_LOCK).await?;
        }
        Ok(WriteTxn { txn, _guard: guard })
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.execute_unprepared("SELECT 1").await.map(|_| ())
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use sea_orm::Statement;

    /// A write transaction reads first and writes later; meanwhile a write outside it (another
    /// pooled connection, no transaction: a heartbeat, say) commits. SQLite cannot move a read
    /// snapshot forward into a write, so without the write lock taken at `BEGIN` the transaction's
    /// first write fails with SQLITE_BUSY — a 500 for whoever made the request.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sqlite_write_transaction_survives_a_write_committed_after_its_first_read() {
        let dir = std::env::temp_dir().join(format!("piazza-db-{}", uuid::Uuid::now_v7()));
        let db = Db::connect_sqlite(&dir.join("t.db"), 4).await.unwrap();
        db.conn()
            .execute_unprepared("CREATE TABLE t (n INTEGER)")
            .await
            .unwrap();
        let txn = db.begin().await.unwrap();
        let count = Statement::from_string(db.backend(), "SELECT count(*) AS c FROM t");
        txn.query_one_raw(count).await.unwrap();
        let outside = {
            let conn = db.conn().clone();
            tokio::spawn(async move { conn.execute_unprepared("INSERT INTO t VALUES (1)").await })
        };
        // Give the outside write every chance to commit first.
        tokio::time::sleep(Duration::from_millis(200)).await;
        txn.execute_unprepared("INSERT INTO t VALUES (2)")
            .await
            .expect("the transaction's write goes through");
        txn.commit().await.unwrap();
        outside
            .await
            .unwrap()
            .expect("the outside write waits its turn");
        let rows = db
            .conn()
            .query_one_raw(Statement::from_string(
                db.backend(),
                "SELECT count(*) AS c FROM t",
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rows.try_get::<i64>("", "c").unwrap(), 2);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
