//! What composing a round of emails needs — the subscribers, events and registrations its rows
//! name, and the suppressed addresses — read once for the whole round, as they are when it is
//! sent (see `compose`).

use crate::{
    db::{deliveries, events, registrations, subscribers, suppressions},
    domain::{EventStatus, Kind},
    state::AppState,
};
use piazza_shared::contracts::event::EventSummary;
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// What composing a round of rows needs, read once for all of them.
pub struct Round {
    pub(super) subscribers: HashMap<Uuid, subscribers::Model>,
    /// The notifier's copy of each event, and whether it was cancelled whole.
    pub(super) events: HashMap<Uuid, (EventSummary, bool)>,
    pub(super) registrations: HashMap<Uuid, registrations::Model>,
    pub(super) suppressed: HashSet<String>,
}

pub(super) fn uuid_at(context: &serde_json::Value, key: &str) -> Option<Uuid> {
    context.get(key)?.as_str()?.parse().ok()
}

impl Round {
    pub async fn load(state: &AppState, rows: &[deliveries::Model]) -> Result<Self, DbErr> {
        let conn = state.db.conn();
        let subscriber_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.subscriber_id).collect();
        let mut event_ids: HashSet<Uuid> = HashSet::new();
        let mut registration_ids: Vec<Uuid> = Vec::new();
        for row in rows {
            match Kind::parse(&row.kind) {
                Some(Kind::EventPublished) => {
                    event_ids.insert(row.subject_id);
                }
                Some(Kind::WeeklyDigest) => {
                    let listed = row.context.get("events").and_then(|e| e.as_array());
                    event_ids.extend(
                        listed
                            .into_iter()
                            .flatten()
                            .filter_map(|e| e.as_str()?.parse::<Uuid>().ok()),
                    );
                }
                _ => {}
            }
            if let Some(event) = row.context.get("event").and_then(|e| e.get("event_id")) {
                event_ids.extend(event.as_str().and_then(|e| e.parse::<Uuid>().ok()));
            }
            registration_ids.extend(uuid_at(&row.context, "registration_id"));
        }
        // Changes name the event by the message, not the event: find it through the context
        // of the registrant or, for subscribers, below.
        let change_rows: Vec<&deliveries::Model> = rows
            .iter()
            .filter(|r| {
                matches!(
                    Kind::parse(&r.kind),
                    Some(Kind::EventRescheduled | Kind::EventCancelled)
                )
            })
            .collect();
        event_ids.extend(
            change_rows
                .iter()
                .filter_map(|r| uuid_at(&r.context, "event_id")),
        );

        let subscribers = if subscriber_ids.is_empty() {
            HashMap::new()
        } else {
            subscribers::Entity::find()
                .filter(subscribers::Column::Id.is_in(subscriber_ids))
                .all(conn)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect()
        };
        let events = if event_ids.is_empty() {
            HashMap::new()
        } else {
            events::Entity::find()
                .filter(events::Column::Id.is_in(event_ids))
                .all(conn)
                .await?
                .into_iter()
                .filter_map(|e| {
                    let cancelled = e.status() == EventStatus::Cancelled;
                    serde_json::from_value(e.summary)
                        .ok()
                        .map(|s| (e.id, (s, cancelled)))
                })
                .collect()
        };
        let registrations = if registration_ids.is_empty() {
            HashMap::new()
        } else {
            registrations::Entity::find()
                .filter(registrations::Column::Id.is_in(registration_ids))
                .all(conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect()
        };
        let recipients: Vec<String> = rows.iter().map(|r| r.recipient.clone()).collect();
        let suppressed = suppressions::Entity::find()
            .filter(suppressions::Column::Email.is_in(recipients))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| s.email)
            .collect();
        Ok(Self {
            subscribers,
            events,
            registrations,
            suppressed,
        })
    }

    /// The event as the notifier now knows it, if it still takes place.
    pub(super) fn live_event(&self, id: Uuid) -> Option<&EventSummary> {
        self.events
            .get(&id)
            .filter(|(_, cancelled)| !cancelled)
            .map(|(e, _)| e)
    }
}
