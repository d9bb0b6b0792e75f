//! The monitoring's database: its read model of what the other services report (one fact per
//! thing counted, `monitoring_facts`) and its copy of the seasons (`monitoring_seasons`), from
//! which the indicators are computed.

mod m20261216_000001_monitoring;
mod m20261216_000002_indicators;

use sea_orm_migration::prelude::*;

pub struct MonitoringMigrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for MonitoringMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::messaging::Migration),
            Box::new(crate::m20261127_000001_dead_letters::Migration),
            Box::new(crate::m20261202_000001_audit_log::Migration),
            Box::new(crate::m20261204_000001_revocations::Migration),
            Box::new(crate::m20261206_000002_rate_limits::Migration),
            Box::new(m20261216_000001_monitoring::Migration),
            Box::new(m20261216_000002_indicators::Migration),
        ]
    }
}
