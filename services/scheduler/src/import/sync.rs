//! Bringing a season's imported events in line with what their calendar says now: new UIDs
//! become published events, changed ones follow (each occurrence matched by where its rule put
//! it, so it keeps its id), vanished ones are cancelled. Readers hear of each change as of any
//! other. All in the caller's transaction: a failure changes nothing.

use super::source::{self, Planned, Source};
use crate::{
    db::{
        events, feeds,
        occurrences::{self, insert_occurrences, new_occurrence},
        seasons,
    },
    domain::{CANCELLED, EventStatus, SCHEDULED, SpaceStatus},
    schedule::{
        self, Loaded,
        announce::{self, Change},
    },
    state::AppState,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use piazza_shared::{contracts::Category, progress::Progress};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// What one import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub created: u32,
    pub updated: u32,
    pub cancelled: u32,
    pub unchanged: u32,
    /// VEVENTs left out, and why.
    pub skipped: Vec<String>,
}

/// Applies the calendar's `sources` to the feed's events.
pub async fn apply(
    state: &AppState,
    conn: &impl ConnectionTrait,
    feed: &feeds::Model,
    season: &seasons::Model,
    sources: Vec<Source>,
    mut skipped: Vec<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<Report> {
    let fallback = state.settings.time_zone;
    let mut report = Report::default();
    let existing: HashMap<String, events::Model> = events::Entity::find()
        .filter(events::Column::SourceFeedId.eq(feed.id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|e| e.source_uid.clone().map(|uid| (uid, e)))
        .collect();
    let mut seen = Vec::new();
    let mut progress = Progress::start("feed_import", feed.name.clone(), sources.len() as u64);
    for source in &sources {
        progress.advance(1);
        let planned = match source::plan(
            source,
            fallback,
            season.starts_on,
            season.ends_on,
            state.settings.scheduler.max_occurrences,
        ) {
            Ok(planned) => planned,
            Err(e) => {
                skipped.push(format!("{}: {e}", source.uid));
                continue;
            }
        };
        if planned.is_empty() {
            // Nothing of it in the season: as if it were not there.
            continue;
        }
        seen.push(source.uid.clone());
        let outcome = match existing.get(&source.uid) {
            None => create(state, conn, feed, source, &planned, fallback, now).await?,
            Some(event) => {
                update(state, conn, feed, event, source, &planned, fallback, now).await?
            }
        };
        match outcome {
            Outcome::Created => report.created += 1,
            Outcome::Updated => report.updated += 1,
            Outcome::Unchanged => report.unchanged += 1,
        }
    }
    progress.finish();
    for (uid, event) in &existing {
        if seen.contains(uid) || event.status == EventStatus::Cancelled.as_str() {
            continue;
        }
        let loaded = schedule::load(conn, event.id).await.map_err(anyhow_of)?;
        cancel(
            state,
            conn,
            loaded,
            &format!("removed from {}", feed.name),
            now,
        )
        .await?;
        report.cancelled += 1;
    }
    skipped.truncate(50);
    report.skipped = skipped;
    Ok(report)
}

fn anyhow_of(error: piazza_shared::http::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

fn categories_for(source: &Source, feed: &feeds::Model) -> serde_json::Value {
    let mut list = source::categories(source);
    if list.is_empty() {
        list = announce::categories_of(&feed.categories);
    }
    if list.is_empty() {
        list = vec![Category::Other];
    }
    serde_json::to_value(list).unwrap_or_default()
}

fn first(planned: &[Planned]) -> Option<&Planned> {
    planned
        .iter()
        .find(|p| !p.cancelled)
        .or_else(|| planned.first())
}

fn row_for(event_id: Uuid, p: &Planned, now: DateTime<Utc>) -> occurrences::Model {
    let mut row = new_occurrence(event_id, p.starts_at, p.ends_at, now);
    row.recurrence_id = Some(p.recurrence_id);
    if p.cancelled {
        row.status = CANCELLED.into();
    }
    row
}

async fn create(
    state: &AppState,
    conn: &impl ConnectionTrait,
    feed: &feeds::Model,
    source: &Source,
    planned: &[Planned],
    fallback: Tz,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let Some(head) = first(planned) else {
        return Ok(Outcome::Unchanged);
    };
    let id = Uuid::now_v7();
    let all_cancelled = planned.iter().all(|p| p.cancelled);
    let event = events::Model {
        id,
        season_id: Some(feed.season_id),
        title: source.summary.clone(),
        description: source.description.clone(),
        description_en: String::new(),
        categories: categories_for(source, feed),
        age_min: feed.age_min,
        age_max: feed.age_max,
        capacity: None,
        time_zone: source::zone_of(source, fallback).name().to_string(),
        starts_at: head.starts_at,
        ends_at: head.ends_at,
        recurrence: source.rule.clone(),
        space_id: None,
        space_status: SpaceStatus::None.as_str().into(),
        space_reason: None,
        status: if all_cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Published
        }
        .as_str()
        .into(),
        cancel_reason: all_cancelled.then(|| "cancelled at the source".to_string()),
        organisation_id: None,
        organisation_name: Some(feed.name.clone()),
        contact_email: None,
        created_by: Uuid::nil(),
        slot_correlation: None,
        slot_requested_at: None,
        sequence: 0,
        published_at: Some(now),
        created_at: now,
        updated_at: now,
        accessibility_notes: String::new(),
        price_cents: 0,
        funding_line: None,
        programme_id: None,
        waitlist: true,
        registration_closes_minutes: None,
        exdates: serde_json::json!([]),
        source_feed_id: Some(feed.id),
        source_uid: Some(source.uid.clone()),
        location: source.location.clone(),
    };
    let rows: Vec<occurrences::Model> = planned.iter().map(|p| row_for(id, p, now)).collect();
    events::Entity::insert(events::ActiveModel::from(event.clone()))
        .exec_without_returning(conn)
        .await?;
    insert_occurrences(conn, &rows).await?;
    if !all_cancelled {
        let loaded = Loaded {
            event,
            occurrences: rows,
            space: None,
        };
        announce::announce(conn, &state.outbox, &loaded, Change::Published).await?;
    }
    Ok(Outcome::Created)
}

#[allow(clippy::too_many_arguments)]
async fn update(
    state: &AppState,
    conn: &impl ConnectionTrait,
    feed: &feeds::Model,
    event: &events::Model,
    source: &Source,
    planned: &[Planned],
    fallback: Tz,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let mut loaded = schedule::load(conn, event.id).await.map_err(anyhow_of)?;
    let was_cancelled = loaded.event.status == EventStatus::Cancelled.as_str();
    let before = loaded.clone();
    let e = &mut loaded.event;
    e.title = source.summary.clone();
    e.description = source.description.clone();
    e.location = source.location.clone();
    e.categories = categories_for(source, feed);
    e.recurrence = source.rule.clone();
    e.time_zone = source::zone_of(source, fallback).name().to_string();
    let details_changed = *e != before.event;
    // Occurrences are matched by where the rule put them.
    let mut previous = Vec::new();
    let mut removed = Vec::new();
    let mut added = false;
    let mut by_key: HashMap<DateTime<Utc>, usize> = HashMap::new();
    for (i, o) in loaded.occurrences.iter().enumerate() {
        by_key.insert(o.recurrence_id.unwrap_or(o.starts_at), i);
    }
    let mut new_rows = Vec::new();
    for p in planned {
        match by_key.remove(&p.recurrence_id) {
            Some(i) => {
                let o = &mut loaded.occurrences[i];
                let was_on = o.status == SCHEDULED;
                let moved = o.starts_at != p.starts_at || o.ends_at != p.ends_at;
                if was_on && p.cancelled {
                    o.status = CANCELLED.into();
                    o.cancel_reason = Some("cancelled at the source".into());
                    removed.push(o.id);
                } else if !was_on && !p.cancelled {
                    o.status = SCHEDULED.into();
                    o.cancel_reason = None;
                    added = true;
                } else if moved && was_on {
                    previous.push(announce::occurrence(o));
                }
                if moved || was_on == p.cancelled {
                    o.starts_at = p.starts_at;
                    o.ends_at = p.ends_at;
                    o.sequence += 1;
                    o.reminded_at = None;
                    o.updated_at = Some(now);
                    announce::save_occurrence(conn, o).await?;
                }
            }
            None if !p.cancelled => {
                new_rows.push(row_for(event.id, p, now));
                added = true;
            }
            None => {}
        }
    }
    for i in by_key.into_values() {
        let o = &mut loaded.occurrences[i];
        if o.status == SCHEDULED {
            o.status = CANCELLED.into();
            o.cancel_reason = Some("no longer in the source calendar".into());
            o.sequence += 1;
            o.updated_at = Some(now);
            announce::save_occurrence(conn, o).await?;
            removed.push(o.id);
        }
    }
    insert_occurrences(conn, &new_rows).await?;
    loaded.occurrences.extend(new_rows);
    loaded.occurrences.sort_by_key(|o| (o.starts_at, o.id));
    let any_on = loaded.occurrences.iter().any(|o| o.status == SCHEDULED);
    let changed = details_changed || !previous.is_empty() || !removed.is_empty() || added;
    if !changed && was_cancelled != any_on {
        return Ok(Outcome::Unchanged);
    }
    let e = &mut loaded.event;
    if let Some(head) = loaded.occurrences.iter().find(|o| o.status == SCHEDULED) {
        e.starts_at = head.starts_at;
        e.ends_at = head.ends_at;
    }
    e.sequence += 1;
    e.updated_at = now;
    if !any_on {
        e.status = EventStatus::Cancelled.as_str().into();
        e.cancel_reason = Some("cancelled at the source".into());
    } else if was_cancelled {
        e.status = EventStatus::Published.as_str().into();
        e.cancel_reason = None;
    }
    announce::save(conn, e).await?;
    let change = if !any_on {
        (!was_cancelled).then(|| Change::Cancelled {
            reason: "cancelled at the source".into(),
            occurrence_ids: Vec::new(),
        })
    } else if was_cancelled {
        Some(Change::Published)
    } else if !removed.is_empty() && previous.is_empty() && !added {
        Some(Change::Cancelled {
            reason: "cancelled at the source".into(),
            occurrence_ids: removed,
        })
    } else if !previous.is_empty() || added {
        if !removed.is_empty() {
            let cancelled = Change::Cancelled {
                reason: "cancelled at the source".into(),
                occurrence_ids: removed,
            };
            announce::announce(conn, &state.outbox, &loaded, cancelled).await?;
        }
        Some(Change::Rescheduled {
            previous,
            previous_place: None,
        })
    } else {
        Some(Change::Updated)
    };
    if let Some(change) = change {
        let told = if matches!(change, Change::Cancelled { ref occurrence_ids, .. } if occurrence_ids.is_empty())
        {
            &before
        } else {
            &loaded
        };
        announce::announce(conn, &state.outbox, told, change).await?;
    }
    Ok(Outcome::Updated)
}

/// Cancels an imported event that left its calendar.
async fn cancel(
    state: &AppState,
    conn: &impl ConnectionTrait,
    mut loaded: Loaded,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let before = loaded.clone();
    loaded.event.status = EventStatus::Cancelled.as_str().into();
    loaded.event.cancel_reason = Some(reason.to_string());
    loaded.event.sequence += 1;
    loaded.event.updated_at = now;
    announce::save(conn, &loaded.event).await?;
    for o in loaded
        .occurrences
        .iter_mut()
        .filter(|o| o.status == SCHEDULED)
    {
        o.status = CANCELLED.into();
        o.cancel_reason = Some(reason.to_string());
        o.updated_at = Some(now);
        announce::save_occurrence(conn, o).await?;
    }
    let change = Change::Cancelled {
        reason: reason.to_string(),
        occurrence_ids: Vec::new(),
    };
    announce::announce(conn, &state.outbox, &before, change).await?;
    Ok(())
}
