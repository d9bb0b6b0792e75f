//! A lock a process holds on its database for as long as it lives, under a name: whoever takes
//! a name knows at once that no living process holds it, without waiting for a lease to run out.
//! A process restarted under the same name can so take back at once what its previous life left
//! in hand.
//!
//! On PostgreSQL it is a session advisory lock on a connection of its own (taken out of the
//! pool), which the server frees the moment that connection ends — the process exited or was
//! killed. On SQLite it is the operating system's lock on a file beside the database, which the
//! kernel frees when the process ends.

use super::pool::Db;
use anyhow::Context;
use sqlx::{Connection, PgConnection};
use std::{fs::File, path::PathBuf};

/// Held while alive; dropping it (or the process ending) frees the name.
#[derive(Debug)]
pub struct InstanceLock {
    _held: Held,
}

#[derive(Debug)]
enum Held {
    Postgres { _connection: PgConnection },
    Sqlite { _file: File },
}

impl Db {
    /// Takes the lock `name` (within this database: a PostgreSQL schema, a SQLite file) unless a
    /// living process holds it; `None` when one does.
    pub async fn try_lock_instance(&self, name: &str) -> anyhow::Result<Option<InstanceLock>> {
        if self.is_postgres() {
            self.try_lock_on_postgres(name).await
        } else {
            try_lock_file(&self.lock_file(name))
        }
    }

    async fn try_lock_on_postgres(&self, name: &str) -> anyhow::Result<Option<InstanceLock>> {
        let pool = self.conn().get_postgres_connection_pool();
        // Out of the pool for good: the lock lives exactly as long as this connection.
        let mut conn = pool
            .acquire()
            .await
            .context("connecting for an instance lock")?
            .detach();
        // Advisory locks are per database; the schema keeps services and deployments apart.
        let (schema,): (String,) = sqlx::query_as("SELECT current_schema()::text")
            .fetch_one(&mut conn)
            .await?;
        let (taken,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(key(&format!("{schema}/{name}")))
            .fetch_one(&mut conn)
            .await?;
        if taken {
            Ok(Some(InstanceLock {
                _held: Held::Postgres { _connection: conn },
            }))
        } else {
            let _ = conn.close().await;
            Ok(None)
        }
    }

    fn lock_file(&self, name: &str) -> PathBuf {
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        PathBuf::from(format!("{}.{safe}.lock", self.location))
    }
}

fn try_lock_file(path: &PathBuf) -> anyhow::Result<Option<InstanceLock>> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("opening lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(InstanceLock {
            _held: Held::Sqlite { _file: file },
        })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// A stable 64-bit key for a name (FNV-1a): the same in every process and every build.
fn key(name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_name_is_held_by_one_at_a_time_and_free_again_once_its_holder_is_gone() {
        let dir = std::env::temp_dir().join(format!("piazza-lock-{}", uuid::Uuid::now_v7()));
        let db = Db::connect_sqlite(&dir.join("t.db"), 2).await.unwrap();
        let first = db.try_lock_instance("sender host:8080").await.unwrap();
        assert!(first.is_some());
        assert!(
            db.try_lock_instance("sender host:8080")
                .await
                .unwrap()
                .is_none(),
            "held by a living holder"
        );
        assert!(
            db.try_lock_instance("sender host:8081")
                .await
                .unwrap()
                .is_some()
        );
        drop(first);
        assert!(
            db.try_lock_instance("sender host:8080")
                .await
                .unwrap()
                .is_some()
        );
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn keys_are_stable() {
        assert_eq!(key(""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_ne!(key("a/b"), key("a/c"));
    }
}
