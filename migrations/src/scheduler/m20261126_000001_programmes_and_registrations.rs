//! Programmes, the details an event page shows (English description, accessibility, price,
//! funding line), occurrences that remember their place in the series and their changes, and
//! registrations with their waitlist.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE seasons ADD COLUMN description TEXT NOT NULL DEFAULT '';
            ALTER TABLE seasons ADD COLUMN updated_at TIMESTAMPTZ;
            CREATE TABLE programmes (
                id UUID PRIMARY KEY,
                season_id UUID NOT NULL REFERENCES seasons (id),
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                description TEXT NOT NULL,
                capacity INTEGER,
                waitlist BOOLEAN NOT NULL,
                taken_as_whole BOOLEAN NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX programmes_season ON programmes (season_id);
            ALTER TABLE events ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
            ALTER TABLE events ADD COLUMN accessibility_notes TEXT NOT NULL DEFAULT '';
            ALTER TABLE events ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE events ADD COLUMN funding_line TEXT;
            ALTER TABLE events ADD COLUMN programme_id UUID REFERENCES programmes (id);
            ALTER TABLE events ADD COLUMN waitlist BOOLEAN NOT NULL DEFAULT TRUE;
            ALTER TABLE events ADD COLUMN registration_closes_minutes INTEGER;
            ALTER TABLE events ADD COLUMN exdates JSONB NOT NULL DEFAULT '[]';
            ALTER TABLE events ADD COLUMN cancel_reason TEXT;
            ALTER TABLE events ADD COLUMN location TEXT;
            ALTER TABLE events ADD COLUMN source_feed_id UUID;
            ALTER TABLE events ADD COLUMN source_uid TEXT;
            CREATE INDEX events_programme ON events (programme_id);
            CREATE UNIQUE INDEX events_source ON events (source_feed_id, source_uid);
            ALTER TABLE occurrences ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE occurrences ADD COLUMN recurrence_id TIMESTAMPTZ;
            ALTER TABLE occurrences ADD COLUMN reminded_at TIMESTAMPTZ;
            ALTER TABLE occurrences ADD COLUMN cancel_reason TEXT;
            ALTER TABLE occurrences ADD COLUMN updated_at TIMESTAMPTZ;
            CREATE INDEX occurrences_reminders ON occurrences (starts_at) WHERE reminded_at IS NULL;
            CREATE INDEX occurrences_calendar ON occurrences (starts_at, id);
            CREATE TABLE registrations (
                id UUID PRIMARY KEY,
                event_id UUID REFERENCES events (id),
                programme_id UUID REFERENCES programmes (id),
                email TEXT NOT NULL,
                email_key TEXT NOT NULL,
                name TEXT NOT NULL,
                language TEXT NOT NULL,
                status TEXT NOT NULL,
                queued_at TIMESTAMPTZ NOT NULL,
                confirmed_at TIMESTAMPTZ,
                cancelled_at TIMESTAMPTZ,
                cancelled_by TEXT,
                CHECK ((event_id IS NULL) <> (programme_id IS NULL))
            );
            CREATE UNIQUE INDEX registrations_event_person ON registrations (event_id, email_key)
                WHERE status <> 'cancelled' AND event_id IS NOT NULL;
            CREATE UNIQUE INDEX registrations_programme_person ON registrations (programme_id, email_key)
                WHERE status <> 'cancelled' AND programme_id IS NOT NULL;
            CREATE INDEX registrations_event_line ON registrations (event_id, status, queued_at);
            CREATE INDEX registrations_programme_line ON registrations (programme_id, status, queued_at);",
            "ALTER TABLE seasons ADD COLUMN description TEXT NOT NULL DEFAULT '';
            ALTER TABLE seasons ADD COLUMN updated_at TEXT;
            CREATE TABLE programmes (
                id BLOB PRIMARY KEY,
                season_id BLOB NOT NULL REFERENCES seasons (id),
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                description TEXT NOT NULL,
                capacity INTEGER,
                waitlist INTEGER NOT NULL,
                taken_as_whole INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX programmes_season ON programmes (season_id);
            ALTER TABLE events ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
            ALTER TABLE events ADD COLUMN accessibility_notes TEXT NOT NULL DEFAULT '';
            ALTER TABLE events ADD COLUMN price_cents INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE events ADD COLUMN funding_line TEXT;
            ALTER TABLE events ADD COLUMN programme_id BLOB;
            ALTER TABLE events ADD COLUMN waitlist INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE events ADD COLUMN registration_closes_minutes INTEGER;
            ALTER TABLE events ADD COLUMN exdates TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE events ADD COLUMN cancel_reason TEXT;
            ALTER TABLE events ADD COLUMN location TEXT;
            ALTER TABLE events ADD COLUMN source_feed_id BLOB;
            ALTER TABLE events ADD COLUMN source_uid TEXT;
            CREATE INDEX events_programme ON events (programme_id);
            CREATE UNIQUE INDEX events_source ON events (source_feed_id, source_uid);
            ALTER TABLE occurrences ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE occurrences ADD COLUMN recurrence_id TEXT;
            ALTER TABLE occurrences ADD COLUMN reminded_at TEXT;
            ALTER TABLE occurrences ADD COLUMN cancel_reason TEXT;
            ALTER TABLE occurrences ADD COLUMN updated_at TEXT;
            CREATE INDEX occurrences_reminders ON occurrences (starts_at) WHERE reminded_at IS NULL;
            CREATE INDEX occurrences_calendar ON occurrences (starts_at, id);
            CREATE TABLE registrations (
                id BLOB PRIMARY KEY,
                event_id BLOB REFERENCES events (id),
                programme_id BLOB REFERENCES programmes (id),
                email TEXT NOT NULL,
                email_key TEXT NOT NULL,
                name TEXT NOT NULL,
                language TEXT NOT NULL,
                status TEXT NOT NULL,
                queued_at TEXT NOT NULL,
                confirmed_at TEXT,
                cancelled_at TEXT,
                cancelled_by TEXT,
                CHECK ((event_id IS NULL) <> (programme_id IS NULL))
            );
            CREATE UNIQUE INDEX registrations_event_person ON registrations (event_id, email_key)
                WHERE status <> 'cancelled' AND event_id IS NOT NULL;
            CREATE UNIQUE INDEX registrations_programme_person ON registrations (programme_id, email_key)
                WHERE status <> 'cancelled' AND programme_id IS NOT NULL;
            CREATE INDEX registrations_event_line ON registrations (event_id, status, queued_at);
            CREATE INDEX registrations_programme_line ON registrations (programme_id, status, queued_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE registrations;
            DROP INDEX occurrences_calendar;
            DROP INDEX occurrences_reminders;
            ALTER TABLE occurrences DROP COLUMN updated_at;
            ALTER TABLE occurrences DROP COLUMN cancel_reason;
            ALTER TABLE occurrences DROP COLUMN reminded_at;
            ALTER TABLE occurrences DROP COLUMN recurrence_id;
            ALTER TABLE occurrences DROP COLUMN sequence;
            DROP INDEX events_source;
            DROP INDEX events_programme;
            ALTER TABLE events DROP COLUMN source_uid;
            ALTER TABLE events DROP COLUMN source_feed_id;
            ALTER TABLE events DROP COLUMN location;
            ALTER TABLE events DROP COLUMN cancel_reason;
            ALTER TABLE events DROP COLUMN exdates;
            ALTER TABLE events DROP COLUMN registration_closes_minutes;
            ALTER TABLE events DROP COLUMN waitlist;
            ALTER TABLE events DROP COLUMN programme_id;
            ALTER TABLE events DROP COLUMN funding_line;
            ALTER TABLE events DROP COLUMN price_cents;
            ALTER TABLE events DROP COLUMN accessibility_notes;
            ALTER TABLE events DROP COLUMN description_en;
            DROP TABLE programmes;
            ALTER TABLE seasons DROP COLUMN updated_at;
            ALTER TABLE seasons DROP COLUMN description;",
        )
        .await
    }
}
