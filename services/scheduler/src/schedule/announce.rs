//! Telling the other services: the message form of an event, the `event.*` messages for its
//! readers (the notifier), and the slot requests and releases for booking. Every function writes
//! into the outbox inside the caller's transaction.

use crate::{
    db::{events, occurrences, programmes, spaces},
    domain::{EventStatus, SCHEDULED, SpaceStatus},
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    bus::outbox::Outbox,
    contracts::{
        Category, FundingLine,
        event::{
            EventCancelled, EventPublished, EventRescheduled, EventSummary, EventUpdated,
            Occurrence, Place,
        },
        scheduling::{Slot, SlotReleased, SlotRequested},
    },
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Loaded;

pub fn categories_of(value: &serde_json::Value) -> Vec<Category> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

pub fn small(value: Option<i32>) -> Option<u8> {
    value.and_then(|v| u8::try_from(v).ok())
}

pub fn occurrence(o: &occurrences::Model) -> Occurrence {
    Occurrence {
        occurrence_id: o.id,
        starts_at: o.starts_at,
        ends_at: o.ends_at,
    }
}

pub fn place(s: &spaces::Model) -> Place {
    Place {
        space_id: s.id,
        name: s.name.clone(),
        building: s.building.clone(),
        address: s.address.clone(),
    }
}

/// The message form of an event: its scheduled occurrences only.
pub fn summary(
    event: &events::Model,
    occurrences: &[occurrences::Model],
    space: Option<&spaces::Model>,
) -> EventSummary {
    EventSummary {
        event_id: event.id,
        title: event.title.clone(),
        description: event.description.clone(),
        categories: categories_of(&event.categories),
        age_min: small(event.age_min),
        age_max: small(event.age_max),
        time_zone: event.time_zone.clone(),
        occurrences: occurrences
            .iter()
            .filter(|o| o.status == SCHEDULED)
            .map(occurrence)
            .collect(),
        place: space.map(place),
        capacity: event.capacity.and_then(|c| u32::try_from(c).ok()),
        funding_line: event.funding_line.as_deref().and_then(FundingLine::parse),
        season_id: event.season_id,
    }
}

/// Writes every column of `event` back.
pub async fn save(conn: &impl ConnectionTrait, event: &events::Model) -> Result<(), DbErr> {
    events::ActiveModel::from(event.clone())
        .reset_all()
        .update(conn)
        .await
        .map(|_| ())
}

/// Writes every column of `occurrence` back.
pub async fn save_occurrence(
    conn: &impl ConnectionTrait,
    occurrence: &occurrences::Model,
) -> Result<(), DbErr> {
    occurrences::ActiveModel::from(occurrence.clone())
        .reset_all()
        .update(conn)
        .await
        .map(|_| ())
}

/// Whether readers have been told of this event (so they must hear of its changes).
pub fn is_public(event: &events::Model) -> bool {
    event.published_at.is_some()
}

/// What a pathway is, as one event: registrations for a programme taken as a whole are made,
/// reminded and told of changes under the programme's id, with every session of its public
/// events as its occurrences.
pub async fn pathway_summary(
    conn: &impl ConnectionTrait,
    programme: &programmes::Model,
) -> Result<EventSummary, DbErr> {
    let sessions = events::Entity::find()
        .filter(events::Column::ProgrammeId.eq(programme.id))
        .filter(events::Column::PublishedAt.is_not_null())
        .order_by_asc(events::Column::StartsAt)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = sessions.iter().map(|e| e.id).collect();
    let rows = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.is_in(ids))
        .filter(occurrences::Column::Status.eq(SCHEDULED))
        .order_by_asc(occurrences::Column::StartsAt)
        .all(conn)
        .await?;
    let first = sessions.first();
    let space = match first.and_then(|e| e.space_id) {
        Some(id) => spaces::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let mut categories: Vec<Category> = sessions
        .iter()
        .flat_map(|e| categories_of(&e.categories))
        .collect();
    categories.sort();
    categories.dedup();
    Ok(EventSummary {
        event_id: programme.id,
        title: programme.name.clone(),
        description: programme.description.clone(),
        categories,
        age_min: sessions.iter().filter_map(|e| small(e.age_min)).min(),
        age_max: sessions.iter().filter_map(|e| small(e.age_max)).max(),
        time_zone: first
            .map(|e| e.time_zone.clone())
            .unwrap_or_else(|| "Europe/Rome".into()),
        occurrences: rows.iter().map(occurrence).collect(),
        place: space.as_ref().map(place),
        capacity: programme.capacity.and_then(|c| u32::try_from(c).ok()),
        funding_line: first
            .and_then(|e| e.funding_line.as_deref())
            .and_then(FundingLine::parse),
        season_id: Some(programme.season_id),
    })
}

/// The pathway `event` is a session of, if its programme is taken as a whole.
pub async fn pathway_of(
    conn: &impl ConnectionTrait,
    event: &events::Model,
) -> Result<Option<programmes::Model>, DbErr> {
    let Some(id) = event.programme_id else {
        return Ok(None);
    };
    Ok(programmes::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|p| p.taken_as_whole))
}

/// A change readers hear of.
pub enum Change {
    Published,
    /// Details changed, not time or place.
    Updated,
    Rescheduled {
        previous: Vec<Occurrence>,
        previous_place: Option<Place>,
    },
    Cancelled {
        reason: String,
        /// Empty: the whole event.
        occurrence_ids: Vec<Uuid>,
    },
}

/// Announces `change` of a public event; a session of a pathway is announced again as the
/// pathway, so the pathway's registrants hear of it too.
pub async fn announce(
    conn: &impl ConnectionTrait,
    outbox: &Outbox,
    loaded: &Loaded,
    change: Change,
) -> Result<(), DbErr> {
    let event = summary(&loaded.event, &loaded.occurrences, loaded.space.as_ref());
    let key = Some(loaded.event.id.to_string());
    send(conn, outbox, event, &change, key.clone()).await?;
    if matches!(change, Change::Published) {
        return Ok(());
    }
    if let Some(programme) = pathway_of(conn, &loaded.event).await? {
        let mut pathway = pathway_summary(conn, &programme).await?;
        if let Change::Cancelled { .. } = change {
            // The pathway as it stands: without this event's occurrences, which are named.
            pathway
                .occurrences
                .retain(|o| !loaded.occurrences.iter().any(|l| l.id == o.occurrence_id));
        }
        let change = match change {
            // A whole session cancelled is, for the pathway, some occurrences cancelled.
            Change::Cancelled {
                reason,
                occurrence_ids,
            } if occurrence_ids.is_empty() => Change::Cancelled {
                reason,
                occurrence_ids: loaded.occurrences.iter().map(|o| o.id).collect(),
            },
            other => other,
        };
        send(conn, outbox, pathway, &change, key).await?;
    }
    Ok(())
}

async fn send(
    conn: &impl ConnectionTrait,
    outbox: &Outbox,
    event: EventSummary,
    change: &Change,
    key: Option<String>,
) -> Result<(), DbErr> {
    match change {
        Change::Published => {
            outbox
                .add(conn, &EventPublished { version: 1, event }, key)
                .await?
        }
        Change::Updated => {
            outbox
                .add(conn, &EventUpdated { version: 1, event }, key)
                .await?
        }
        Change::Rescheduled {
            previous,
            previous_place,
        } => {
            let message = EventRescheduled {
                version: 1,
                event,
                previous: previous.clone(),
                previous_place: previous_place.clone(),
            };
            outbox.add(conn, &message, key).await?
        }
        Change::Cancelled {
            reason,
            occurrence_ids,
        } => {
            let message = EventCancelled {
                version: 1,
                event,
                reason: reason.clone(),
                occurrence_ids: occurrence_ids.clone(),
            };
            outbox.add(conn, &message, key).await?
        }
    };
    Ok(())
}

/// Asks booking for the event's space for every scheduled occurrence still to come (booking
/// replaces whatever it held for the event), or lets the space go when none is left. Updates
/// `event`'s saga fields; the caller saves it.
pub async fn request_slots(
    conn: &impl ConnectionTrait,
    outbox: &Outbox,
    event: &mut events::Model,
    occurrences: &[occurrences::Model],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Some(space_id) = event.space_id else {
        return Ok(());
    };
    let slots: Vec<Slot> = occurrences
        .iter()
        .filter(|o| o.status == SCHEDULED && o.ends_at > now)
        .map(|o| Slot {
            starts_at: o.starts_at,
            ends_at: o.ends_at,
        })
        .collect();
    if slots.is_empty() {
        return release_slots(conn, outbox, event, "no occurrence is left").await;
    }
    let correlation = Uuid::now_v7().to_string();
    let request = SlotRequested {
        version: 1,
        event_id: event.id,
        space_id,
        title: event.title.clone(),
        slots,
        // An operator's proposal is held until an administrator takes it into the season.
        approve: event.status != EventStatus::Proposed.as_str(),
        organisation: event.organisation_name.clone(),
        organisation_id: event.organisation_id,
        contact_email: event.contact_email.clone(),
        attendees: event.capacity.and_then(|c| u32::try_from(c).ok()),
    };
    outbox
        .add(conn, &request, Some(correlation.clone()))
        .await?;
    event.slot_correlation = Some(correlation);
    event.slot_requested_at = Some(now);
    event.space_status = SpaceStatus::Pending.as_str().into();
    event.space_reason = None;
    Ok(())
}

/// Lets every slot booking holds for the event go.
pub async fn release_slots(
    conn: &impl ConnectionTrait,
    outbox: &Outbox,
    event: &mut events::Model,
    reason: &str,
) -> Result<(), DbErr> {
    let release = SlotReleased {
        version: 1,
        event_id: event.id,
        reason: reason.to_string(),
    };
    outbox
        .add(conn, &release, event.slot_correlation.clone())
        .await?;
    // Answers still on their way for the old request are stale from now on.
    event.slot_correlation = Some(Uuid::now_v7().to_string());
    event.slot_requested_at = None;
    Ok(())
}
