//! What the notifier learns beyond subscribers: its copy of registrations (to remind and tell the
//! people registered), whether an event it knows was cancelled, and an index that lets the
//! sender take the next due deliveries without sorting every pending row.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
            CREATE TABLE registrations (
                id UUID PRIMARY KEY,
                event_id UUID NOT NULL,
                occurrence_id UUID,
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                language TEXT NOT NULL,
                status TEXT NOT NULL,
                cancel_url TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX registrations_event ON registrations (event_id, status);
            CREATE INDEX registrations_created ON registrations (created_at);
            CREATE INDEX deliveries_next ON deliveries (next_attempt_at)
                WHERE state IN ('pending', 'sending');
            CREATE INDEX deliveries_sent ON deliveries (sent_at) WHERE state = 'sent';",
            "ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
            CREATE TABLE registrations (
                id BLOB PRIMARY KEY,
                event_id BLOB NOT NULL,
                occurrence_id BLOB,
                email TEXT NOT NULL,
                name TEXT NOT NULL,
                language TEXT NOT NULL,
                status TEXT NOT NULL,
                cancel_url TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX registrations_event ON registrations (event_id, status);
            CREATE INDEX registrations_created ON registrations (created_at);
            CREATE INDEX deliveries_next ON deliveries (next_attempt_at)
                WHERE state IN ('pending', 'sending');
            CREATE INDEX deliveries_sent ON deliveries (sent_at) WHERE state = 'sent';",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP INDEX deliveries_sent; DROP INDEX deliveries_next; DROP TABLE registrations;
            ALTER TABLE events DROP COLUMN status;",
        )
        .await
    }
}
