//! Reminders: for each scheduled occurrence of a public event that starts within
//! `reminder_lead_hours` and has had none, a `reminder.due` (the notifier writes to its confirmed
//! registrants). The occurrence is marked in the same transaction, so a reminder goes once; one
//! that moves is reminded again at its new time. A session of a pathway is reminded as the
//! pathway, whose registrants are the ones to tell.

use super::firing::Firing;
use crate::{
    db::{events, occurrences},
    domain::{EventStatus, SCHEDULED},
    schedule::{self, announce},
    state::AppState,
};
use chrono::Duration;
use piazza_shared::{
    contracts::{event::EventSummary, jobs::ReminderDue},
    unit::Unit,
};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait, sea_query::Expr,
};
use std::collections::{HashMap, hash_map::Entry};
use uuid::Uuid;

pub async fn run(state: &AppState, unit: &Unit, firing: &Firing) -> anyhow::Result<String> {
    let txn: &DatabaseTransaction = unit;
    let now = firing.now;
    let horizon = now + Duration::hours(i64::from(state.settings.scheduler.reminder_lead_hours));
    let due: Vec<occurrences::Model> = occurrences::Entity::find()
        .join(
            sea_orm::JoinType::InnerJoin,
            occurrences::Relation::Event.def(),
        )
        .filter(events::Column::Status.eq(EventStatus::Published.as_str()))
        .filter(occurrences::Column::Status.eq(SCHEDULED))
        .filter(occurrences::Column::RemindedAt.is_null())
        .filter(occurrences::Column::StartsAt.gt(now))
        .filter(occurrences::Column::StartsAt.lte(horizon))
        .order_by_asc(occurrences::Column::StartsAt)
        .all(txn)
        .await?;
    let mut summaries: HashMap<Uuid, EventSummary> = HashMap::new();
    for occurrence in &due {
        let event = match summaries.entry(occurrence.event_id) {
            Entry::Occupied(known) => known.get().clone(),
            Entry::Vacant(slot) => {
                let loaded = schedule::load(txn, occurrence.event_id)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                let summary = match announce::pathway_of(txn, &loaded.event).await? {
                    Some(programme) => announce::pathway_summary(txn, &programme).await?,
                    None => {
                        announce::summary(&loaded.event, &loaded.occurrences, loaded.space.as_ref())
                    }
                };
                slot.insert(summary).clone()
            }
        };
        let message = ReminderDue {
            version: 1,
            event,
            occurrence: announce::occurrence(occurrence),
        };
        unit.publish(&message, Some(occurrence.id.to_string()))
            .await?;
    }
    let ids: Vec<Uuid> = due.iter().map(|o| o.id).collect();
    for chunk in ids.chunks(500) {
        occurrences::Entity::update_many()
            .col_expr(occurrences::Column::RemindedAt, Expr::value(now))
            .filter(occurrences::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    Ok(format!("{} reminder(s) due", due.len()))
}
