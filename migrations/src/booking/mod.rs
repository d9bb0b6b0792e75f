//! The booking service's database: accounts and organisations, spaces, closures, bookings and
//! the slot holds that keep bookings from overlapping.

mod m20261125_000001_booking;
mod m20261202_000001_calendar_rules;
mod m20261204_000001_account_sessions;
mod m20261207_000001_organisation_fields;
mod m20261207_000001_space_vocabularies;
mod m20261207_000002_images;
mod m20261212_000001_own_bookings;
mod m20261215_000001_sectors;

use sea_orm_migration::prelude::*;

pub struct BookingMigrator;

#[sea_orm_migration::async_trait::async_trait]
impl MigratorTrait for BookingMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(crate::messaging::Migration),
            Box::new(crate::m20261127_000001_dead_letters::Migration),
            Box::new(m20261125_000001_booking::Migration),
            Box::new(m20261202_000001_calendar_rules::Migration),
            Box::new(crate::m20261202_000001_audit_log::Migration),
            Box::new(crate::m20261204_000001_revocations::Migration),
            Box::new(m20261204_000001_account_sessions::Migration),
            Box::new(crate::m20261206_000002_rate_limits::Migration),
            Box::new(m20261207_000001_space_vocabularies::Migration),
            Box::new(m20261207_000001_organisation_fields::Migration),
            Box::new(m20261212_000001_own_bookings::Migration),
            Box::new(m20261207_000002_images::Migration),
            Box::new(m20261215_000001_sectors::Migration),
        ]
    }
}
