//! Database migrations, one migrator per service (each service owns its own database or schema).
//! Files are named `mYYYYMMDD_HHMMSS_what.rs`; each has `up` and `down`. Where the two databases
//! differ (PostgreSQL's exclusion constraints, types), a migration spells out both.

pub mod booking;
mod images;
mod m20261127_000001_dead_letters;
mod m20261202_000001_audit_log;
mod m20261204_000001_revocations;
mod m20261206_000001_form_confirmations;
mod m20261206_000002_rate_limits;
mod messaging;
pub mod monitoring;
pub mod notifier;
pub mod scheduler;
mod sql;

use piazza_shared::db::Db;
use sea_orm::{ConnectionTrait, TransactionTrait};
use sea_orm_migration::{IntoSchemaManagerConnection, MigratorTrait};

pub use booking::BookingMigrator;
pub use monitoring::MonitoringMigrator;
pub use notifier::NotifierMigrator;
pub use scheduler::SchedulerMigrator;

/// Applies `M`'s pending migrations one by one, saying which and how long each took, and every
/// ten seconds that a long one (a large table rewritten) is still running. On PostgreSQL a
/// transaction-scoped advisory lock makes processes that start together (replicas, parallel
/// tests) take turns, and all of them are applied in one transaction.
pub async fn migrate<M: MigratorTrait>(db: &Db) -> anyhow::Result<()> {
    if db.is_postgres() {
        let txn = db.conn().begin().await?;
        txn.execute_unprepared("SELECT pg_advisory_xact_lock(7262010)")
            .await?;
        apply_one_by_one::<M, _>(&txn, &db.location).await?;
        txn.commit().await?;
    } else {
        apply_one_by_one::<M, _>(db.conn(), &db.location).await?;
    }
    Ok(())
}

async fn apply_one_by_one<'c, M, C>(conn: &'c C, location: &str) -> anyhow::Result<()>
where
    M: MigratorTrait,
    C: ConnectionTrait,
    &'c C: IntoSchemaManagerConnection<'c>,
{
    let pending: Vec<String> = M::get_pending_migrations(conn)
        .await?
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    if pending.is_empty() {
        tracing::info!(%location, "no pending migrations");
        return Ok(());
    }
    let total = pending.len();
    for (done, name) in pending.iter().enumerate() {
        let (step, started) = (done + 1, std::time::Instant::now());
        tracing::info!(%location, migration = %name, "applying migration {step} of {total}");
        let apply = M::up(conn, Some(1));
        tokio::pin!(apply);
        let mut ticker = tokio::time::interval(std::time::Duration::from_secs(10));
        ticker.tick().await; // the first tick is immediate
        loop {
            tokio::select! {
                result = &mut apply => { result?; break; }
                _ = ticker.tick() => tracing::info!(
                    %location, migration = %name,
                    "still applying migration {step} of {total} ({} s so far)",
                    started.elapsed().as_secs()
                ),
            }
        }
        tracing::info!(
            %location, migration = %name,
            "applied migration {step} of {total} in {:.1} s", started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Applies the migrations of the service named `service`.
pub async fn migrate_service(service: &str, db: &Db) -> anyhow::Result<()> {
    match service {
        "booking" => migrate::<BookingMigrator>(db).await,
        "scheduler" => migrate::<SchedulerMigrator>(db).await,
        "notifier" => migrate::<NotifierMigrator>(db).await,
        "monitoring" => migrate::<MonitoringMigrator>(db).await,
        other => anyhow::bail!("no service named {other}"),
    }
}
