//! Co-design tables: a table (co-design, or one of the social-services network's), its members
//! (organisations, the Comune's sectors, invited people), its meetings — each one an event of the
//! scheduler's, whose space booking holds like any event's — and the decisions they record.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "CREATE TABLE codesign_tables (
                id {uuid} PRIMARY KEY,
                name TEXT NOT NULL,
                theme TEXT NOT NULL,
                kind TEXT NOT NULL,
                funding_line TEXT,
                created_by {uuid} NOT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL
            );
            CREATE TABLE table_members (
                id {uuid} PRIMARY KEY,
                table_id {uuid} NOT NULL REFERENCES codesign_tables (id),
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                sector TEXT,
                email TEXT,
                role TEXT,
                created_at {instant} NOT NULL
            );
            CREATE INDEX table_members_table ON table_members (table_id, created_at);
            CREATE TABLE table_meetings (
                event_id {uuid} PRIMARY KEY,
                table_id {uuid} NOT NULL REFERENCES codesign_tables (id),
                agenda TEXT NOT NULL,
                minutes TEXT,
                attendance {bigint},
                youth_representatives {bigint},
                recorded_at {instant},
                created_at {instant} NOT NULL
            );
            CREATE INDEX table_meetings_table ON table_meetings (table_id);
            CREATE TABLE table_decisions (
                id {uuid} PRIMARY KEY,
                meeting_id {uuid} NOT NULL REFERENCES table_meetings (event_id),
                position {bigint} NOT NULL,
                text TEXT NOT NULL,
                led_to_kind TEXT,
                led_to_id {uuid}
            );
            CREATE INDEX table_decisions_meeting ON table_decisions (meeting_id, position);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE table_decisions; DROP TABLE table_meetings; DROP TABLE table_members;
             DROP TABLE codesign_tables;",
        )
        .await
    }
}
