//! The public calendar as iCalendar (RFC 5545): `/calendar.ics` with the listing's filters, and
//! one event's occurrences at `/api/v1/events/{id}.ics`. Each occurrence is a VEVENT whose UID
//! never changes and whose SEQUENCE grows with every change, so subscribed calendar clients update
//! it in place; a cancelled one stays with `STATUS:CANCELLED` so clients remove it.

use super::events::{CalendarFilter, PublicFilter, events_by_id, places_of};
use crate::{
    db::{events, occurrences, spaces},
    domain::{CANCELLED, EventStatus},
    schedule::{Loaded, announce::categories_of},
    state::AppState,
};
use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    http::{ApiError, Problem, Query},
    ics::{self, Calendar},
};
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait};
use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
};
use uuid::Uuid;

/// How far back `/calendar.ics` reaches when neither `from` nor `season_id` says.
const DEFAULT_PAST_DAYS: i64 = 90;

/// The stable UID of an occurrence.
pub fn uid(occurrence_id: Uuid) -> String {
    format!("{occurrence_id}@piazza")
}

fn money(cents: i32) -> String {
    format!("{}.{:02} €", cents / 100, cents % 100)
}

/// An occurrence as a VEVENT.
pub fn vevent(
    state: &AppState,
    event: &events::Model,
    occurrence: &occurrences::Model,
    space: Option<&spaces::Model>,
) -> ics::Event {
    let cancelled =
        occurrence.status == CANCELLED || event.status == EventStatus::Cancelled.as_str();
    let mut description = event.description.clone();
    if !event.description_en.is_empty() {
        description.push_str("\n\n");
        description.push_str(&event.description_en);
    }
    if !event.accessibility_notes.is_empty() {
        description.push_str("\n\nAccessibilità / Accessibility: ");
        description.push_str(&event.accessibility_notes);
    }
    description.push_str(&if event.price_cents > 0 {
        format!("\n\nIngresso / Admission: {}", money(event.price_cents))
    } else {
        "\n\nIngresso libero / Free admission".to_string()
    });
    let mut url = state.settings.public_url();
    url.set_path(&format!("/api/v1/events/{}", event.id));
    let stamp = occurrence
        .updated_at
        .map_or(event.updated_at, |o| o.max(event.updated_at));
    ics::Event {
        uid: uid(occurrence.id),
        sequence: u32::try_from(event.sequence.saturating_add(occurrence.sequence)).unwrap_or(0),
        stamp,
        starts_at: occurrence.starts_at,
        ends_at: occurrence.ends_at,
        summary: event.title.clone(),
        description: description.trim().to_string(),
        location: space
            .map(|s| format!("{}, {}, {}", s.name, s.building, s.address))
            .or_else(|| event.location.clone()),
        categories: categories_of(&event.categories)
            .iter()
            .map(|c| c.as_str().to_uppercase())
            .collect(),
        status: if cancelled {
            ics::Status::Cancelled
        } else {
            ics::Status::Confirmed
        },
        url: Some(url.to_string()),
    }
}

/// An `.ics` answer, with an ETag so clients that ask again get 304 when nothing changed.
fn answer(text: String, last_modified: Option<DateTime<Utc>>, request: &HeaderMap) -> Response {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    let etag = format!("\"{:016x}\"", hasher.finish());
    let unchanged = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, text).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(at) = last_modified
        && let Ok(value) =
            HeaderValue::from_str(&at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    response
}

/// One event's occurrences as a calendar.
pub fn event_ics(state: &AppState, loaded: &Loaded, request: &HeaderMap) -> Response {
    let mut calendar = Calendar::new(&loaded.event.title);
    let mut last = None;
    for occurrence in &loaded.occurrences {
        let vevent = vevent(state, &loaded.event, occurrence, loaded.space.as_ref());
        last = last.max(Some(vevent.stamp));
        calendar.event(&vevent);
    }
    answer(calendar.finish(), last, request)
}

/// The public calendar as iCalendar: the same occurrences and filters as `GET /api/v1/events`
/// (without paging). Without `from`, it starts 90 days back, or covers the whole season when
/// `season_id` is given.
#[utoipa::path(
    get,
    path = "/calendar.ics",
    tag = "events",
    params(CalendarFilter),
    responses(
        (status = 200, description = "RFC 5545 calendar", content_type = "text/calendar"),
        (status = 304, description = "Unchanged since the ETag sent in If-None-Match"),
        (status = 422, body = Problem),
    )
)]
pub async fn feed(
    State(state): State<AppState>,
    Query(filter): Query<CalendarFilter>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if filter.cursor.is_some() || filter.limit.is_some() {
        return Err(ApiError::field(
            if filter.cursor.is_some() {
                "cursor"
            } else {
                "limit"
            },
            "the calendar is not paged",
        ));
    }
    let default_from = filter
        .season_id
        .is_none()
        .then(|| Utc::now() - Duration::days(DEFAULT_PAST_DAYS));
    let public = PublicFilter::read(&filter, state.settings.time_zone, default_from)?;
    let conn = state.db.conn();
    let rows: Vec<occurrences::Model> = occurrences::Entity::find()
        .join(
            sea_orm::JoinType::InnerJoin,
            occurrences::Relation::Event.def(),
        )
        .filter(public.condition(state.db.backend()))
        .order_by_asc(occurrences::Column::StartsAt)
        .order_by_asc(occurrences::Column::Id)
        .all(conn)
        .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|o| o.event_id).collect();
    ids.sort();
    ids.dedup();
    let events: HashMap<Uuid, events::Model> = events_by_id(conn, ids).await?;
    let places = places_of(conn, events.values().filter_map(|e| e.space_id)).await?;
    let mut calendar = Calendar::new("Piazza");
    let mut last = None;
    for occurrence in &rows {
        let Some(event) = events.get(&occurrence.event_id) else {
            continue;
        };
        let space = event.space_id.and_then(|s| places.get(&s));
        let vevent = vevent(&state, event, occurrence, space);
        last = last.max(Some(vevent.stamp));
        calendar.event(&vevent);
    }
    Ok(answer(calendar.finish(), last, &headers))
}

/// Documents `/api/v1/events/{id}.ics`, which `GET /api/v1/events/{id}` serves.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}.ics",
    tag = "events",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event's occurrences, RFC 5545", content_type = "text/calendar"),
        (status = 304, description = "Unchanged since the ETag sent in If-None-Match"),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
#[allow(dead_code)]
pub async fn event_ics_doc() {}
