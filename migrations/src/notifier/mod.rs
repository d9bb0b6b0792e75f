//! The notifier's database: subscribers and their consent log, the events it may write about,
//! its copy of registrations, and one delivery row per email.

mod m20261125_000001_notifier;
mod m20261202_000001_registrations_and_reach;
mod m20261210_000001_sender_leases;
mod m20261211_000001_sender_names;

use sea_orm_migration::prelude::*;

pub struct NotifierMigrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for NotifierMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::messaging::Migration),
            Box::new(crate::m20261127_000001_dead_letters::Migration),
            Box::new(m20261125_000001_notifier::Migration),
            Box::new(m20261202_000001_registrations_and_reach::Migration),
            Box::new(crate::m20261202_000001_audit_log::Migration),
            Box::new(crate::m20261204_000001_revocations::Migration),
            Box::new(m20261210_000001_sender_leases::Migration),
            Box::new(m20261211_000001_sender_names::Migration),
            Box::new(crate::m20261206_000001_form_confirmations::Migration),
            Box::new(crate::m20261206_000002_rate_limits::Migration),
        ]
    }
}
