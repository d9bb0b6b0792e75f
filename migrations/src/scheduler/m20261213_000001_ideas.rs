//! Ideas from people without an account: the `ideas` table (an idea waits unverified until its
//! author opens the emailed link, then for staff to accept it — into a proposal — or decline it),
//! the calls that take them (`calls.accepts_ideas`), and the proposals that came from one
//! (`proposals.idea_id`).

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::run(
            manager,
            "ALTER TABLE calls ADD COLUMN accepts_ideas BOOLEAN NOT NULL DEFAULT FALSE;
            ALTER TABLE proposals ADD COLUMN idea_id UUID;
            CREATE TABLE ideas (
                id UUID PRIMARY KEY,
                call_id UUID NOT NULL REFERENCES calls (id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                author_name TEXT NOT NULL,
                email TEXT NOT NULL,
                informal_group TEXT,
                age_band TEXT,
                language TEXT NOT NULL,
                status TEXT NOT NULL,
                decision_reason TEXT,
                proposal_id UUID,
                created_at TIMESTAMPTZ NOT NULL,
                verified_at TIMESTAMPTZ,
                decided_at TIMESTAMPTZ,
                decided_by UUID
            );
            CREATE INDEX ideas_status ON ideas (status, created_at);
            CREATE INDEX ideas_call ON ideas (call_id, created_at);",
            "ALTER TABLE calls ADD COLUMN accepts_ideas INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE proposals ADD COLUMN idea_id BLOB;
            CREATE TABLE ideas (
                id BLOB PRIMARY KEY,
                call_id BLOB NOT NULL REFERENCES calls (id),
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                author_name TEXT NOT NULL,
                email TEXT NOT NULL,
                informal_group TEXT,
                age_band TEXT,
                language TEXT NOT NULL,
                status TEXT NOT NULL,
                decision_reason TEXT,
                proposal_id BLOB,
                created_at TEXT NOT NULL,
                verified_at TEXT,
                decided_at TEXT,
                decided_by BLOB
            );
            CREATE INDEX ideas_status ON ideas (status, created_at);
            CREATE INDEX ideas_call ON ideas (call_id, created_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE ideas;
            ALTER TABLE proposals DROP COLUMN idea_id;
            ALTER TABLE calls DROP COLUMN accepts_ideas;",
        )
        .await
    }
}
