//! The indicator framework: one row per indicator (its code, names and definitions in Italian
//! and English, unit, output or result, the measure it is computed with, an optional funding
//! line, baseline and target), seeded with one indicator per measure so the monitoring answers
//! out of the box; administrators edit it from there.

use sea_orm::prelude::{DateTimeUtc, Uuid};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The default framework: (code = measure, kind, unit it/en, name it/en, definition it/en).
const DEFAULTS: [(&str, &str, &str, &str, &str, &str, &str); 11] = [
    (
        "spaces_reactivated",
        "output",
        "spazi / spaces",
        "Spazi riattivati",
        "Spaces reactivated",
        "Spazi distinti usati almeno una volta nel periodo con una prenotazione approvata (attività degli operatori ed eventi).",
        "Distinct spaces used at least once in the period through an approved booking (operators' activities and events).",
    ),
    (
        "space_hours",
        "output",
        "ore / hours",
        "Ore di utilizzo degli spazi",
        "Hours of space use",
        "Somma delle ore delle prenotazioni approvate che iniziano nel periodo.",
        "Sum of the hours of approved bookings starting in the period.",
    ),
    (
        "events_held",
        "output",
        "eventi / events",
        "Eventi realizzati",
        "Events held",
        "Date di eventi pubblicati e non annullati nel periodo.",
        "Dates of published events, not cancelled, in the period.",
    ),
    (
        "participants",
        "result",
        "iscrizioni / registrations",
        "Partecipanti agli eventi",
        "Event participants",
        "Iscrizioni confermate agli eventi del periodo (sotto 5 non è mostrato).",
        "Confirmed registrations to the period's events (below 5 it is not shown).",
    ),
    (
        "young_people_reached",
        "result",
        "persone / people",
        "Giovani raggiunti",
        "Young people reached",
        "Persone distinte iscritte agli eventi del periodo, per fascia d'età (sotto 5 non è mostrato).",
        "Distinct people registered to the period's events, by age band (below 5 it is not shown).",
    ),
    (
        "pathway_participants",
        "result",
        "persone / people",
        "Partecipanti ai percorsi",
        "Pathway participants",
        "Giovani inseriti nei percorsi socio-educativi nel periodo (sotto 5 non è mostrato).",
        "Young people enrolled in socio-educational pathways in the period (below 5 it is not shown).",
    ),
    (
        "pathway_completions",
        "result",
        "persone / people",
        "Percorsi completati",
        "Pathways completed",
        "Giovani che hanno completato un percorso nel periodo (sotto 5 non è mostrato).",
        "Young people who completed a pathway in the period (below 5 it is not shown).",
    ),
    (
        "codesign_meetings",
        "output",
        "incontri / meetings",
        "Incontri dei tavoli di co-progettazione",
        "Co-design table meetings",
        "Incontri dei tavoli tenuti nel periodo.",
        "Table meetings held in the period.",
    ),
    (
        "codesign_participants",
        "result",
        "presenze / attendances",
        "Partecipanti alla co-progettazione",
        "Co-design participants",
        "Somma delle presenze agli incontri dei tavoli del periodo (sotto 5 non è mostrato).",
        "Sum of the attendance at the period's table meetings (below 5 it is not shown).",
    ),
    (
        "ideas_received",
        "output",
        "idee / ideas",
        "Idee ricevute",
        "Ideas received",
        "Idee ricevute dalle chiamate nel periodo.",
        "Ideas received through calls in the period.",
    ),
    (
        "ideas_taken_up",
        "result",
        "idee / ideas",
        "Idee accolte",
        "Ideas taken up",
        "Idee accolte nella programmazione nel periodo.",
        "Ideas taken up into the programme in the period.",
    ),
];

#[derive(DeriveIden)]
enum MonitoringIndicators {
    Table,
    Id,
    Code,
    Kind,
    NameIt,
    NameEn,
    DefinitionIt,
    DefinitionEn,
    Unit,
    Measure,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::sql::portable(
            manager,
            "CREATE TABLE monitoring_indicators (
                id {uuid} PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                name_it TEXT NOT NULL,
                name_en TEXT NOT NULL,
                definition_it TEXT NOT NULL,
                definition_en TEXT NOT NULL,
                unit TEXT NOT NULL,
                measure TEXT NOT NULL,
                funding_line TEXT,
                baseline DOUBLE PRECISION,
                target DOUBLE PRECISION,
                position INTEGER NOT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL
            );
            CREATE INDEX monitoring_indicators_position ON monitoring_indicators (position, code);",
        )
        .await?;
        // Through the query builder, so the ids and instants are bound as each database stores
        // them (a UUID column is a blob on SQLite).
        let now: DateTimeUtc = piazza_shared::clock::now();
        let mut insert = Query::insert();
        insert.into_table(MonitoringIndicators::Table).columns([
            MonitoringIndicators::Id,
            MonitoringIndicators::Code,
            MonitoringIndicators::Kind,
            MonitoringIndicators::NameIt,
            MonitoringIndicators::NameEn,
            MonitoringIndicators::DefinitionIt,
            MonitoringIndicators::DefinitionEn,
            MonitoringIndicators::Unit,
            MonitoringIndicators::Measure,
            MonitoringIndicators::Position,
            MonitoringIndicators::CreatedAt,
            MonitoringIndicators::UpdatedAt,
        ]);
        for (position, (code, kind, unit, name_it, name_en, def_it, def_en)) in
            (1i32..).zip(DEFAULTS)
        {
            insert
                .values([
                    Uuid::now_v7().into(),
                    code.into(),
                    kind.into(),
                    name_it.into(),
                    name_en.into(),
                    def_it.into(),
                    def_en.into(),
                    unit.into(),
                    code.into(),
                    (position * 10).into(),
                    now.into(),
                    now.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::sql::both(manager, "DROP TABLE monitoring_indicators;").await
    }
}
