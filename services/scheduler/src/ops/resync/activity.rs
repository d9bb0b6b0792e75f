//! What only the monitoring reads, sent again in answer to a resync: `season.changed` for every
//! season; `pathway.enrolled`, `pathway.completed` and `pathway.session_attended` for every
//! enrolment, completion and session whose attendance was taken; `table.meeting_held` for every
//! meeting with minutes; `idea.received` and `idea.taken_up` for every idea verified or taken
//! up. Each is built by the function that builds it when it happens, from what is stored.

use super::{last, page};
use crate::{
    db::{
        calls, events, ideas, occurrences,
        pathways::{attendance, pathway, referral},
        seasons,
        tables::{decision, meeting, table},
    },
    domain::EventStatus,
    ops::{
        ideas::{received, taken_up},
        pathways::{
            attendance::attended,
            referrals::{completed, enrolled},
        },
        seasons::changed,
        tables::meetings::{Minuted, held},
    },
    state::AppState,
};
use piazza_shared::bus::HandleError;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Every season; returns how many messages went.
pub(super) async fn seasons(
    state: &AppState,
    txn: &DatabaseTransaction,
) -> Result<usize, HandleError> {
    let (mut after, mut sent) = (None, 0);
    loop {
        let rows = page(txn, seasons::Entity::find(), seasons::Column::Id, after).await?;
        let Some(tail) = rows.last() else {
            break;
        };
        after = Some(tail.id);
        for season in &rows {
            state.outbox.add(txn, &changed(season), None).await?;
            sent += 1;
        }
        if last(&rows) {
            break;
        }
    }
    Ok(sent)
}

/// Every pathway's enrolments, completions and sessions with attendance taken, a pathway at a
/// time (a pathway's young people and sheets are a few hundred rows at most).
pub(super) async fn pathways(
    state: &AppState,
    txn: &DatabaseTransaction,
) -> Result<usize, HandleError> {
    let (mut after, mut sent) = (None, 0);
    loop {
        let rows = page(txn, pathway::Entity::find(), pathway::Column::Id, after).await?;
        let Some(tail) = rows.last() else {
            break;
        };
        after = Some(tail.id);
        for pathway in &rows {
            sent += one_pathway(state, txn, pathway).await?;
        }
        if last(&rows) {
            break;
        }
    }
    Ok(sent)
}

async fn one_pathway(
    state: &AppState,
    txn: &DatabaseTransaction,
    pathway: &pathway::Model,
) -> Result<usize, HandleError> {
    let mut sent = 0;
    let key = Some(pathway.id.to_string());
    let young = referral::Entity::find()
        .filter(referral::Column::PathwayId.eq(pathway.id))
        .all(txn)
        .await?;
    for row in &young {
        state
            .outbox
            .add(txn, &enrolled(pathway, row), key.clone())
            .await?;
        sent += 1;
        if let Some(message) = completed(pathway, row) {
            state.outbox.add(txn, &message, key.clone()).await?;
            sent += 1;
        }
    }
    let by_id: HashMap<Uuid, &referral::Model> = young.iter().map(|r| (r.id, r)).collect();
    let mut sheets: BTreeMap<Uuid, Vec<(&referral::Model, bool)>> = BTreeMap::new();
    for mark in attendance::Entity::find()
        .filter(attendance::Column::PathwayId.eq(pathway.id))
        .all(txn)
        .await?
    {
        if let Some(person) = by_id.get(&mark.referral_id) {
            sheets
                .entry(mark.occurrence_id)
                .or_default()
                .push((*person, mark.present));
        }
    }
    let sessions = occurrences::Entity::find()
        .filter(occurrences::Column::Id.is_in(sheets.keys().copied()))
        .all(txn)
        .await?;
    for session in &sessions {
        let sheet = sheets
            .get(&session.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let message = attended(pathway, session, sheet);
        state
            .outbox
            .add(txn, &message, Some(session.id.to_string()))
            .await?;
        sent += 1;
    }
    Ok(sent)
}

/// Every meeting whose minutes are recorded (and that was not called off).
pub(super) async fn tables(
    state: &AppState,
    txn: &DatabaseTransaction,
) -> Result<usize, HandleError> {
    let (mut after, mut sent) = (None, 0);
    loop {
        let query = meeting::Entity::find().filter(meeting::Column::RecordedAt.is_not_null());
        let rows = page(txn, query, meeting::Column::EventId, after).await?;
        let Some(tail) = rows.last() else {
            break;
        };
        after = Some(tail.event_id);
        let ids: Vec<Uuid> = rows.iter().map(|m| m.event_id).collect();
        let tables: HashMap<Uuid, table::Model> = table::Entity::find()
            .filter(table::Column::Id.is_in(rows.iter().map(|m| m.table_id)))
            .all(txn)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let meetings: HashMap<Uuid, events::Model> = events::Entity::find()
            .filter(events::Column::Id.is_in(ids.clone()))
            .all(txn)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let mut decisions: HashMap<Uuid, usize> = HashMap::new();
        for d in decision::Entity::find()
            .filter(decision::Column::MeetingId.is_in(ids))
            .all(txn)
            .await?
        {
            *decisions.entry(d.meeting_id).or_default() += 1;
        }
        for row in &rows {
            let (Some(table), Some(event)) =
                (tables.get(&row.table_id), meetings.get(&row.event_id))
            else {
                continue;
            };
            if event.status == EventStatus::Cancelled.as_str() {
                continue;
            }
            let minuted = Minuted {
                attendance: row.attendance.unwrap_or(0),
                youth_representatives: row.youth_representatives.unwrap_or(0),
                decisions: decisions.get(&row.event_id).copied().unwrap_or(0),
            };
            let message = held(table, event, minuted);
            state
                .outbox
                .add(txn, &message, Some(row.event_id.to_string()))
                .await?;
            sent += 1;
        }
        if last(&rows) {
            break;
        }
    }
    Ok(sent)
}

/// Every idea its author verified: received, and taken up when it was.
pub(super) async fn ideas(
    state: &AppState,
    txn: &DatabaseTransaction,
) -> Result<usize, HandleError> {
    let (mut after, mut sent) = (None, 0);
    loop {
        let query = ideas::Entity::find().filter(ideas::Column::VerifiedAt.is_not_null());
        let rows = page(txn, query, ideas::Column::Id, after).await?;
        let Some(tail) = rows.last() else {
            break;
        };
        after = Some(tail.id);
        let calls: HashMap<Uuid, calls::Model> = calls::Entity::find()
            .filter(calls::Column::Id.is_in(rows.iter().map(|i| i.call_id)))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        for row in &rows {
            let Some(call) = calls.get(&row.call_id) else {
                continue;
            };
            let key = Some(row.id.to_string());
            if let Some(message) = received(row, call) {
                state.outbox.add(txn, &message, key.clone()).await?;
                sent += 1;
            }
            if let Some(message) = taken_up(row, call) {
                state.outbox.add(txn, &message, key).await?;
                sent += 1;
            }
        }
        if last(&rows) {
            break;
        }
    }
    Ok(sent)
}
