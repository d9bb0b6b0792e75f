//! Database migrations, one migrator per service (each service owns its own database or schema).
//! Files are named `mYYYYMMDD_HHMMSS_what.rs`; each has `up` and `down`. Where the two databases
//! differ (PostgreSQL's exclusion constraints, types), a migration spells out both.

pub mod booking;
mod m20261127_000001_dead_letters;
mod m20261202_000001_audit_log;
mod m20261204_000001_revocations;
mod messaging;
pub mod notifier;
pub mod scheduler;
mod sql;

use piazza_shared::db::Db;
use sea_orm::{ConnectionTrait, TransactionTrait};
use sea_orm_migration::MigratorTrait;

pub use booking::BookingMigrator;
pub use notifier::NotifierMigrator;
pub use scheduler::SchedulerMigrator;

/// Applies `M`'s pending migrations. On PostgreSQL a transaction-scoped advisory lock makes
/// processes that start together (replicas, parallel tests) take turns.
pub async fn migrate<M: MigratorTrait>(db: &Db) -> anyhow::Result<()> {
    if db.is_postgres() {
        let txn = db.conn().begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7262010)")
            .await?;
        M::up(&txn, None).await?;
        txn.commit().await?;
    } else {
        M::up(db.conn(), None).await?;
    }
    Ok(())
}

/// Applies the migrations of the service named `service`.
pub async fn migrate_service(service: &str, db: &Db) -> anyhow::Result<()> {
    match service {
        "booking" => migrate::<BookingMigrator>(db).await,
        "scheduler" => migrate::<SchedulerMigrator>(db).await,
        "notifier" => migrate::<NotifierMigrator>(db).await,
        other => anyhow::bail!("no service named {other}"),
    }
}
