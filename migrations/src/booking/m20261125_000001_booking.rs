//! Accounts, organisations, spaces, closures, bookings and holds.
//!
//! A hold is one (space, time range) a booking occupies: the booked space and every space inside
//! it, each stretched by the space's setup and teardown buffers. On PostgreSQL an exclusion
//! constraint over (space, range) makes two overlapping holds impossible whatever the
//! interleaving of transactions; on SQLite the serialised write transaction does the same.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
            CREATE TABLE organisations (
                id UUID PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE accounts (
                id UUID PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                organisation_id UUID REFERENCES organisations (id),
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE spaces (
                id UUID PRIMARY KEY,
                parent_id UUID REFERENCES spaces (id),
                name TEXT NOT NULL,
                building TEXT NOT NULL,
                address TEXT NOT NULL,
                kind TEXT NOT NULL,
                capacity INTEGER NOT NULL,
                accessibility JSONB NOT NULL,
                equipment JSONB NOT NULL,
                time_zone TEXT NOT NULL,
                opening_hours JSONB NOT NULL,
                status TEXT NOT NULL,
                funding TEXT,
                latitude DOUBLE PRECISION,
                longitude DOUBLE PRECISION,
                setup_minutes INTEGER NOT NULL,
                teardown_minutes INTEGER NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX spaces_parent ON spaces (parent_id);
            CREATE TABLE closures (
                id UUID PRIMARY KEY,
                space_id UUID NOT NULL REFERENCES spaces (id),
                starts_at TIMESTAMPTZ NOT NULL,
                ends_at TIMESTAMPTZ NOT NULL,
                reason TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                CHECK (ends_at > starts_at)
            );
            CREATE INDEX closures_space_time ON closures (space_id, starts_at);
            CREATE TABLE bookings (
                id UUID PRIMARY KEY,
                series_id UUID,
                space_id UUID NOT NULL REFERENCES spaces (id),
                organisation_id UUID REFERENCES organisations (id),
                organisation_name TEXT,
                requested_by UUID,
                contact_email TEXT,
                title TEXT NOT NULL,
                attendees INTEGER NOT NULL,
                starts_at TIMESTAMPTZ NOT NULL,
                ends_at TIMESTAMPTZ NOT NULL,
                status TEXT NOT NULL,
                reason TEXT,
                event_id UUID,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                CHECK (ends_at > starts_at)
            );
            CREATE INDEX bookings_space_time ON bookings (space_id, starts_at);
            CREATE INDEX bookings_series ON bookings (series_id);
            CREATE INDEX bookings_event ON bookings (event_id);
            CREATE INDEX bookings_organisation ON bookings (organisation_id, starts_at);
            CREATE TABLE holds (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                booking_id UUID NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
                space_id UUID NOT NULL REFERENCES spaces (id),
                starts_at TIMESTAMPTZ NOT NULL,
                ends_at TIMESTAMPTZ NOT NULL,
                CHECK (ends_at > starts_at),
                CONSTRAINT holds_no_overlap EXCLUDE USING gist (
                    space_id WITH =,
                    tstzrange(starts_at, ends_at, '[)') WITH &&
                )
            );
            CREATE INDEX holds_booking ON holds (booking_id);",
            "CREATE TABLE organisations (
                id BLOB PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL
            );
            CREATE TABLE accounts (
                id BLOB PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                organisation_id BLOB REFERENCES organisations (id),
                created_at TEXT NOT NULL
            );
            CREATE TABLE spaces (
                id BLOB PRIMARY KEY,
                parent_id BLOB REFERENCES spaces (id),
                name TEXT NOT NULL,
                building TEXT NOT NULL,
                address TEXT NOT NULL,
                kind TEXT NOT NULL,
                capacity INTEGER NOT NULL,
                accessibility TEXT NOT NULL,
                equipment TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                opening_hours TEXT NOT NULL,
                status TEXT NOT NULL,
                funding TEXT,
                latitude REAL,
                longitude REAL,
                setup_minutes INTEGER NOT NULL,
                teardown_minutes INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX spaces_parent ON spaces (parent_id);
            CREATE TABLE closures (
                id BLOB PRIMARY KEY,
                space_id BLOB NOT NULL REFERENCES spaces (id),
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX closures_space_time ON closures (space_id, starts_at);
            CREATE TABLE bookings (
                id BLOB PRIMARY KEY,
                series_id BLOB,
                space_id BLOB NOT NULL REFERENCES spaces (id),
                organisation_id BLOB REFERENCES organisations (id),
                organisation_name TEXT,
                requested_by BLOB,
                contact_email TEXT,
                title TEXT NOT NULL,
                attendees INTEGER NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                status TEXT NOT NULL,
                reason TEXT,
                event_id BLOB,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX bookings_space_time ON bookings (space_id, starts_at);
            CREATE INDEX bookings_series ON bookings (series_id);
            CREATE INDEX bookings_event ON bookings (event_id);
            CREATE INDEX bookings_organisation ON bookings (organisation_id, starts_at);
            CREATE TABLE holds (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                booking_id BLOB NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
                space_id BLOB NOT NULL REFERENCES spaces (id),
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL
            );
            CREATE INDEX holds_space_time ON holds (space_id, starts_at);
            CREATE INDEX holds_booking ON holds (booking_id);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE holds; DROP TABLE bookings; DROP TABLE closures; DROP TABLE spaces;
             DROP TABLE accounts; DROP TABLE organisations;",
        )
        .await
    }
}
