//! Socio-educational pathways for young people in difficulty: the pathway (owned by Social
//! policies, run by an operator organisation, paid by a funding line), the hidden events that
//! carry its sessions (so they get their space from booking like any event), the referrals that
//! enrol young people, attendance per session, and the organisations accredited to refer.

use crate::sql;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in [
            "CREATE TABLE pathways (
                id {uuid} PRIMARY KEY,
                name TEXT NOT NULL,
                description TEXT NOT NULL,
                organisation_id {uuid} NOT NULL,
                organisation_name TEXT NOT NULL,
                funding_line TEXT NOT NULL,
                sector TEXT NOT NULL,
                created_by {uuid} NOT NULL,
                created_at {instant} NOT NULL
            )",
            "CREATE TABLE pathway_series (
                event_id {uuid} PRIMARY KEY,
                pathway_id {uuid} NOT NULL REFERENCES pathways (id)
            )",
            "CREATE INDEX pathway_series_pathway ON pathway_series (pathway_id)",
            "CREATE TABLE pathway_referrals (
                id {uuid} PRIMARY KEY,
                pathway_id {uuid} NOT NULL REFERENCES pathways (id),
                name TEXT NOT NULL,
                birth_year INTEGER NOT NULL,
                age_band TEXT NOT NULL,
                contact TEXT,
                note TEXT NOT NULL,
                referred_by {uuid} NOT NULL,
                referrer_email TEXT NOT NULL,
                referrer_organisation_id {uuid},
                completed_at {instant},
                created_at {instant} NOT NULL
            )",
            "CREATE INDEX pathway_referrals_pathway ON pathway_referrals (pathway_id)",
            "CREATE TABLE pathway_attendance (
                occurrence_id {uuid} NOT NULL,
                referral_id {uuid} NOT NULL REFERENCES pathway_referrals (id),
                pathway_id {uuid} NOT NULL REFERENCES pathways (id),
                present {bool} NOT NULL,
                recorded_by {uuid} NOT NULL,
                recorded_at {instant} NOT NULL,
                PRIMARY KEY (occurrence_id, referral_id)
            )",
            "CREATE INDEX pathway_attendance_pathway ON pathway_attendance (pathway_id)",
            "CREATE TABLE referral_accreditations (
                organisation_id {uuid} PRIMARY KEY,
                organisation_name TEXT NOT NULL,
                granted_by {uuid} NOT NULL,
                granted_at {instant} NOT NULL
            )",
        ] {
            sql::portable(manager, statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        sql::both(
            manager,
            "DROP TABLE referral_accreditations; DROP TABLE pathway_attendance;
             DROP TABLE pathway_referrals; DROP TABLE pathway_series; DROP TABLE pathways;",
        )
        .await
    }
}
