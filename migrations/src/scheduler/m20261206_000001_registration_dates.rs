//! A registration for one date of a weekly event: `occurrence_id` names the occurrence (NULL for
//! an event with one date, or a pathway, registered for as a whole). One live registration per
//! person and date, and per person and whole event.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "ALTER TABLE registrations ADD COLUMN occurrence_id {uuid} REFERENCES occurrences (id);
            DROP INDEX registrations_event_person;
            CREATE UNIQUE INDEX registrations_event_person ON registrations (event_id, email_key)
                WHERE status <> 'cancelled' AND event_id IS NOT NULL AND occurrence_id IS NULL;
            CREATE UNIQUE INDEX registrations_occurrence_person ON registrations (occurrence_id, email_key)
                WHERE status <> 'cancelled' AND occurrence_id IS NOT NULL;
            CREATE INDEX registrations_occurrence_line ON registrations (occurrence_id, status, queued_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP INDEX registrations_occurrence_line;
            DROP INDEX registrations_occurrence_person;
            DROP INDEX registrations_event_person;
            ALTER TABLE registrations DROP COLUMN occurrence_id;
            CREATE UNIQUE INDEX registrations_event_person ON registrations (event_id, email_key)
                WHERE status <> 'cancelled' AND event_id IS NOT NULL;",
        )
        .await
    }
}
