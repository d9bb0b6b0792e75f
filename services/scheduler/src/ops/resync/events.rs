//! Events and registrations as they stand, in answer to a resync: an `event.snapshot` for every
//! event readers were told of (published, or cancelled after it was), with the occurrences it
//! has now and those cancelled on their own, and a `registration.snapshot` for every
//! registration. They are built by the same functions as the `event.*` and `registration.*`
//! messages ([`announce::summary`], [`places::change`]).

use super::{last, page};
use crate::{
    db::{events, occurrences, registrations, spaces},
    domain::{CANCELLED, EventStatus},
    ops::{
        pathways::not_a_pathway_event,
        places::{self, Line},
        registrations::line_of_row,
    },
    schedule::announce,
    state::AppState,
};
use piazza_shared::{
    bus::HandleError,
    contracts::resync::{EventSnapshot, RegistrationSnapshot},
    http::ApiError,
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, hash_map::Entry};
use uuid::Uuid;

/// Every public event, a page at a time; returns how many snapshots went.
pub(super) async fn events(
    state: &AppState,
    txn: &DatabaseTransaction,
) -> Result<usize, HandleError> {
    let mut after = None;
    let mut sent = 0;
    loop {
        let query = events::Entity::find()
            .filter(events::Column::PublishedAt.is_not_null())
            .filter(not_a_pathway_event());
        let rows = page(txn, query, events::Column::Id, after).await?;
        let Some(tail) = rows.last() else {
            break;
        };
        after = Some(tail.id);
        let ids: Vec<Uuid> = rows.iter().map(|e| e.id).collect();
        let mut by_event: HashMap<Uuid, Vec<occurrences::Model>> = HashMap::new();
        for o in occurrences::Entity::find()
            .filter(occurrences::Column::EventId.is_in(ids))
            .order_by_asc(occurrences::Column::StartsAt)
            .order_by_asc(occurrences::Column::Id)
            .all(txn)
            .await?
        {
            by_event.entry(o.event_id).or_default().push(o);
        }
        let places: HashMap<Uuid, spaces::Model> = spaces::Entity::find()
            .filter(spaces::Column::Id.is_in(rows.iter().filter_map(|e| e.space_id)))
            .all(txn)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        for event in &rows {
            let dates = by_event.remove(&event.id).unwrap_or_default();
            let space = event.space_id.and_then(|id| places.get(&id));
            let cancelled = event.status == EventStatus::Cancelled.as_str();
            let snapshot = EventSnapshot {
                version: 1,
                status: if cancelled { "cancelled" } else { "published" }.into(),
                event: announce::summary(event, &dates, space),
                cancelled_occurrence_ids: dates
                    .iter()
                    .filter(|o| o.status == CANCELLED)
                    .map(|o| o.id)
                    .collect(),
            };
            state
                .outbox
                .add(txn, &snapshot, Some(event.id.to_string()))
                .await?;
            sent += 1;
        }
        if last(&rows) {
            break;
        }
    }
    Ok(sent)
}

/// What a registration's line is known by: its event, its programme, its date.
type LineKey = (Option<Uuid>, Option<Uuid>, Option<Uuid>);

/// Every registration, a page at a time; returns how many snapshots went.
pub(super) async fn registrations(
    state: &AppState,
    txn: &DatabaseTransaction,
) -> Result<usize, HandleError> {
    let mut after = None;
    let mut sent = 0;
    loop {
        let query = registrations::Entity::find();
        let rows = page(txn, query, registrations::Column::Id, after).await?;
        let Some(tail) = rows.last() else {
            break;
        };
        after = Some(tail.id);
        // Registrations of one line come together (ids follow time): each line is read once a
        // page.
        let mut lines: HashMap<LineKey, Option<Line>> = HashMap::new();
        for row in &rows {
            let key = (row.event_id, row.programme_id, row.occurrence_id);
            if let Entry::Vacant(slot) = lines.entry(key) {
                let line = match line_of_row(state, txn, row).await {
                    Ok(line) => Some(line),
                    // A line no reader may see (a date gone, a pathway no longer taken as a
                    // whole) has nothing to say; a failing database fails the answer.
                    Err(error @ (ApiError::NotFound(_) | ApiError::Validation(_))) => {
                        tracing::warn!(registration_id = %row.id, %error, "a registration left out of the resync");
                        None
                    }
                    Err(error) => return Err(HandleError::Retry(error.into())),
                };
                slot.insert(line);
            }
            let Some(Some(line)) = lines.get(&key) else {
                continue;
            };
            let snapshot = RegistrationSnapshot {
                version: 1,
                status: row.status.clone(),
                change: places::change(state, txn, line, row).await?,
            };
            state
                .outbox
                .add(txn, &snapshot, Some(row.id.to_string()))
                .await?;
            sent += 1;
        }
        if last(&rows) {
            break;
        }
    }
    Ok(sent)
}
