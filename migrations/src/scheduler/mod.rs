//! The scheduler's database: its read model of spaces, seasons, programmes, events and their
//! occurrences, registrations, calls and proposals, imported feeds and the record of job runs.

mod m20261125_000001_scheduler;
mod m20261126_000001_programmes_and_registrations;
mod m20261126_000002_calls_and_proposals;
mod m20261126_000003_jobs_and_feeds;
mod m20261206_000001_registration_dates;
mod m20261207_000001_call_fields;
mod m20261207_000002_images;
mod m20261212_000001_booked;
mod m20261213_000001_ideas;
mod m20261215_000001_pathways;
mod m20261215_000001_tables;
mod m20261216_000001_registration_age_band;
mod m20261217_000001_idea_age_bands;

use sea_orm_migration::prelude::*;

pub struct SchedulerMigrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for SchedulerMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::messaging::Migration),
            Box::new(crate::m20261127_000001_dead_letters::Migration),
            Box::new(m20261125_000001_scheduler::Migration),
            Box::new(m20261126_000001_programmes_and_registrations::Migration),
            Box::new(m20261126_000002_calls_and_proposals::Migration),
            Box::new(m20261126_000003_jobs_and_feeds::Migration),
            Box::new(crate::m20261202_000001_audit_log::Migration),
            Box::new(crate::m20261204_000001_revocations::Migration),
            Box::new(crate::m20261206_000001_form_confirmations::Migration),
            Box::new(crate::m20261206_000002_rate_limits::Migration),
            Box::new(m20261206_000001_registration_dates::Migration),
            Box::new(m20261207_000001_call_fields::Migration),
            Box::new(m20261212_000001_booked::Migration),
            Box::new(m20261207_000002_images::Migration),
            Box::new(m20261213_000001_ideas::Migration),
            Box::new(m20261215_000001_tables::Migration),
            Box::new(m20261215_000001_pathways::Migration),
            Box::new(m20261216_000001_registration_age_band::Migration),
            Box::new(m20261217_000001_idea_age_bands::Migration),
        ]
    }
}
