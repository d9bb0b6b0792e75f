//! The tables the public forms that send emails keep (see `piazza_shared::confirmations`):
//! the confirmations sent, by the hash of the address they went to and the client address that
//! asked, so floods against a third party's inbox are counted; and the form challenges already
//! answered, so one solution is not used twice.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::portable(
            manager,
            "CREATE TABLE confirmation_sends (
                id {uuid} PRIMARY KEY,
                address_hash TEXT NOT NULL,
                client TEXT NOT NULL,
                subject TEXT NOT NULL,
                no_script {bool} NOT NULL,
                sent_at {instant} NOT NULL
            );
            CREATE INDEX confirmation_sends_address ON confirmation_sends (address_hash, sent_at);
            CREATE INDEX confirmation_sends_client ON confirmation_sends (client, sent_at);
            CREATE INDEX confirmation_sends_sent_at ON confirmation_sends (sent_at);
            CREATE TABLE spent_challenges (
                challenge_hash TEXT PRIMARY KEY,
                expires_at {instant} NOT NULL
            );
            CREATE INDEX spent_challenges_expires_at ON spent_challenges (expires_at);",
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE spent_challenges; DROP TABLE confirmation_sends;",
        )
        .await
    }
}
