//! An operator's event may use the organisation's own approved booking: the event's booking
//! rows then point at it (`uses_booking_id`) and hold no slot of their own, so the space is held
//! once.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE bookings ADD COLUMN uses_booking_id UUID;
            CREATE INDEX bookings_uses ON bookings (uses_booking_id);",
            "ALTER TABLE bookings ADD COLUMN uses_booking_id BLOB;
            CREATE INDEX bookings_uses ON bookings (uses_booking_id);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP INDEX bookings_uses;
            ALTER TABLE bookings DROP COLUMN uses_booking_id;",
        )
        .await
    }
}
