//! Subscribers, consents, events and deliveries. A delivery is unique per (kind, subject,
//! recipient): the key that makes a redelivered message or a replayed fan-out send nothing twice.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "CREATE TABLE subscribers (
                id UUID PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                interests JSONB NOT NULL,
                birth_year INTEGER NOT NULL,
                language TEXT NOT NULL,
                frequency TEXT NOT NULL,
                guardian_email TEXT,
                status TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                confirmed_at TIMESTAMPTZ,
                unsubscribed_at TIMESTAMPTZ
            );
            CREATE INDEX subscribers_status ON subscribers (status);
            CREATE TABLE consents (
                id UUID PRIMARY KEY,
                subscriber_id UUID NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
                action TEXT NOT NULL,
                detail TEXT NOT NULL,
                source TEXT,
                at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX consents_subscriber ON consents (subscriber_id, at);
            CREATE TABLE events (
                id UUID PRIMARY KEY,
                summary JSONB NOT NULL,
                first_starts_at TIMESTAMPTZ NOT NULL,
                published_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE deliveries (
                id UUID PRIMARY KEY,
                kind TEXT NOT NULL,
                subject_id UUID NOT NULL,
                recipient TEXT NOT NULL,
                subscriber_id UUID,
                language TEXT NOT NULL,
                context JSONB NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                last_error TEXT,
                next_attempt_at TIMESTAMPTZ NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                sent_at TIMESTAMPTZ,
                CONSTRAINT deliveries_once UNIQUE (kind, subject_id, recipient)
            );
            CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
            CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
            CREATE TABLE suppressions (
                email TEXT PRIMARY KEY,
                reason TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL
            );",
            "CREATE TABLE subscribers (
                id BLOB PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                interests TEXT NOT NULL,
                birth_year INTEGER NOT NULL,
                language TEXT NOT NULL,
                frequency TEXT NOT NULL,
                guardian_email TEXT,
                status TEXT NOT NULL,
                created_at TEXT NOT NULL,
                confirmed_at TEXT,
                unsubscribed_at TEXT
            );
            CREATE INDEX subscribers_status ON subscribers (status);
            CREATE TABLE consents (
                id BLOB PRIMARY KEY,
                subscriber_id BLOB NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
                action TEXT NOT NULL,
                detail TEXT NOT NULL,
                source TEXT,
                at TEXT NOT NULL
            );
            CREATE INDEX consents_subscriber ON consents (subscriber_id, at);
            CREATE TABLE events (
                id BLOB PRIMARY KEY,
                summary TEXT NOT NULL,
                first_starts_at TEXT NOT NULL,
                published_at TEXT NOT NULL
            );
            CREATE TABLE deliveries (
                id BLOB PRIMARY KEY,
                kind TEXT NOT NULL,
                subject_id BLOB NOT NULL,
                recipient TEXT NOT NULL,
                subscriber_id BLOB,
                language TEXT NOT NULL,
                context TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                last_error TEXT,
                next_attempt_at TEXT NOT NULL,
                created_at TEXT NOT NULL,
                sent_at TEXT,
                CONSTRAINT deliveries_once UNIQUE (kind, subject_id, recipient)
            );
            CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
            CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
            CREATE TABLE suppressions (
                email TEXT PRIMARY KEY,
                reason TEXT NOT NULL,
                at TEXT NOT NULL
            );",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE suppressions; DROP TABLE deliveries; DROP TABLE events; DROP TABLE consents; DROP TABLE subscribers;",
        )
        .await
    }
}
