//! The scheduler's database: its read model of spaces, seasons, events and their occurrences.

mod m20261125_000001_scheduler;

use sea_orm_migration::prelude::*;

pub struct SchedulerMigrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for SchedulerMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::messaging::Migration),
            Box::new(crate::m20261127_000001_dead_letters::Migration),
            Box::new(m20261125_000001_scheduler::Migration),
        ]
    }
}
