//! What only the monitoring reads: seasons, referral pathways, co-design meetings and ideas.
//! Their owners send them again to answer a resync; each lands on its own fact (the latest
//! message for a session or a meeting replaces the earlier ones).

use crate::{domain::facts, ops};
use chrono::{DateTime, Utc};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        idea::{IdeaReceived, IdeaTakenUp},
        pathway::{PathwayCompleted, PathwayEnrolled, PathwaySessionAttended},
        season::SeasonChanged,
        table::TableMeetingHeld,
    },
};
use sea_orm::DatabaseTransaction;

pub async fn season(
    txn: &DatabaseTransaction,
    season: &SeasonChanged,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    ops::seasons::record(txn, season, time).await?;
    Ok(())
}

async fn one(
    txn: &DatabaseTransaction,
    fact: facts::Fact,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    ops::facts::record(txn, vec![fact], time).await?;
    Ok(())
}

pub async fn enrolled(
    txn: &DatabaseTransaction,
    m: &PathwayEnrolled,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    one(txn, facts::pathway_enrolment(m), time).await
}

pub async fn session(
    txn: &DatabaseTransaction,
    m: &PathwaySessionAttended,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    one(txn, facts::pathway_session(m), time).await
}

pub async fn completed(
    txn: &DatabaseTransaction,
    m: &PathwayCompleted,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    one(txn, facts::pathway_completion(m), time).await
}

pub async fn meeting(
    txn: &DatabaseTransaction,
    m: &TableMeetingHeld,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    one(txn, facts::table_meeting(m), time).await
}

pub async fn idea_received(
    txn: &DatabaseTransaction,
    m: &IdeaReceived,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    one(txn, facts::idea_received(m), time).await
}

pub async fn idea_taken_up(
    txn: &DatabaseTransaction,
    m: &IdeaTakenUp,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    one(txn, facts::idea_taken_up(m), time).await
}
