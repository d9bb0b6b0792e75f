//! The public calendar as iCalendar (RFC 5545): `/calendar.ics` with the listing's filters, and
//! one event's occurrences at `/api/v1/events/{id}.ics`. Each occurrence is a VEVENT whose UID
//! never changes and whose SEQUENCE grows with every change, so subscribed calendar clients update
//! it in place; a cancelled one stays with `STATUS:CANCELLED` so clients remove it.

use super::listing::{
    CalendarFilter, PublicFilter, distinct, events_by_id, places_of, public_occurrences,
};
use crate::{
    db::{events, occurrences, spaces},
    domain::{CANCELLED, EventStatus},
    feed_cache::{Rendered, RenderedFeeds},
    schedule::{Loaded, announce::categories_of},
    state::AppState,
};
use axum::body::{Body, Bytes};
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
use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::Arc,
};

/// Shared calendar text as a response body, without copying it.
struct ArcText(Arc<str>);

impl AsRef<[u8]> for ArcText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}
use uuid::Uuid;

/// How far back `/calendar.ics` reaches when neither `from` nor `season_id` says.
const DEFAULT_PAST_DAYS: i64 = 90;

fn money(cents: i32) -> String {
    format!("{}.{:02} €", cents / 100, cents % 100)
}

/// The lines every occurrence of `event` shares, rendered once.
pub fn details(base: &url::Url, event: &events::Model, space: Option<&spaces::Model>) -> String {
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
    let mut url = base.clone();
    url.set_path(&format!("/api/v1/events/{}", event.id));
    let location = space
        .map(|s| format!("{}, {}, {}", s.name, s.building, s.address))
        .or_else(|| event.location.clone());
    let categories: Vec<String> = categories_of(&event.categories)
        .iter()
        .map(|c| c.as_str().to_uppercase())
        .collect();
    ics::Details {
        summary: &event.title,
        description: description.trim(),
        location: location.as_deref(),
        categories: &categories,
        url: Some(url.as_str()),
    }
    .render()
}

/// When an occurrence last changed, for DTSTAMP and LAST-MODIFIED.
fn stamp(event: &events::Model, occurrence: &occurrences::Brief) -> DateTime<Utc> {
    occurrence
        .updated_at
        .map_or(event.updated_at, |o| o.max(event.updated_at))
}

/// Writes the occurrences into a calendar (each with the UID `<occurrence id>@piazza`); returns it
/// with the latest change.
fn write(
    name: &str,
    base: &url::Url,
    rows: &[occurrences::Brief],
    events: &HashMap<Uuid, events::Model>,
    places: &HashMap<Uuid, spaces::Model>,
) -> (String, Option<DateTime<Utc>>) {
    let mut calendar = Calendar::with_capacity(name, 1024 + rows.len() * 720);
    let mut rendered: HashMap<Uuid, String> = HashMap::new();
    let mut uid_buffer = String::with_capacity(48);
    let mut last = None;
    for occurrence in rows {
        let Some(event) = events.get(&occurrence.event_id) else {
            continue;
        };
        let lines = rendered.entry(event.id).or_insert_with(|| {
            let space = event.space_id.and_then(|s| places.get(&s));
            details(base, event, space)
        });
        let cancelled =
            occurrence.status == CANCELLED || event.status == EventStatus::Cancelled.as_str();
        let stamp = stamp(event, occurrence);
        last = last.max(Some(stamp));
        let mut id = Uuid::encode_buffer();
        let uid = occurrence.id.hyphenated().encode_lower(&mut id);
        uid_buffer.clear();
        uid_buffer.push_str(uid);
        uid_buffer.push_str("@piazza");
        calendar.occurrence(
            &ics::Instance {
                uid: &uid_buffer,
                sequence: u32::try_from(event.sequence.saturating_add(occurrence.sequence))
                    .unwrap_or(0),
                stamp,
                starts_at: occurrence.starts_at,
                ends_at: occurrence.ends_at,
                status: if cancelled {
                    ics::Status::Cancelled
                } else {
                    ics::Status::Confirmed
                },
            },
            lines,
        );
    }
    (calendar.finish(), last)
}

/// A validator for what [`write`] would make of these rows: every change to an occurrence, its
/// event or its place moves a sequence or a time this hashes, so a client's unchanged copy is
/// recognised without writing the calendar again.
fn etag(
    name: &str,
    base: &url::Url,
    rows: &[occurrences::Brief],
    events: &HashMap<Uuid, events::Model>,
    places: &HashMap<Uuid, spaces::Model>,
) -> String {
    let mut hasher = DefaultHasher::new();
    (name, base.as_str()).hash(&mut hasher);
    for o in rows {
        (
            o.id,
            o.sequence,
            o.updated_at,
            &o.status,
            o.starts_at,
            o.ends_at,
        )
            .hash(&mut hasher);
    }
    let mut ids: Vec<&Uuid> = events.keys().collect();
    ids.sort();
    for id in ids {
        let e = &events[id];
        (e.id, e.sequence, e.updated_at, &e.status).hash(&mut hasher);
    }
    let mut ids: Vec<&Uuid> = places.keys().collect();
    ids.sort();
    for id in ids {
        let p = &places[id];
        (p.id, p.updated_at).hash(&mut hasher);
    }
    format!("\"{:016x}\"", hasher.finish())
}

/// An `.ics` answer: 304 when the client's copy (If-None-Match) is current, else the calendar
/// as written lately for the same ETag, or as `write` makes it now.
fn answer(
    cache: &RenderedFeeds,
    etag: String,
    request: &HeaderMap,
    write: impl FnOnce() -> (String, Option<DateTime<Utc>>),
) -> Response {
    let unchanged = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let (mut response, last_modified) = if unchanged {
        (StatusCode::NOT_MODIFIED.into_response(), None)
    } else {
        let (text, last) = match cache.get(&etag) {
            Some(kept) => kept,
            None => {
                let (text, last) = write();
                let rendered: Rendered = (Arc::from(text), last);
                cache.put(etag.clone(), rendered.clone());
                rendered
            }
        };
        (
            (StatusCode::OK, Body::from(Bytes::from_owner(ArcText(text)))).into_response(),
            last,
        )
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
    let base = state.settings.public_url();
    let rows: Vec<occurrences::Brief> = loaded.occurrences.iter().map(Into::into).collect();
    let events = HashMap::from([(loaded.event.id, loaded.event.clone())]);
    let places: HashMap<Uuid, spaces::Model> =
        loaded.space.iter().map(|s| (s.id, s.clone())).collect();
    let tag = etag(&loaded.event.title, &base, &rows, &events, &places);
    answer(&state.feeds, tag, request, || {
        write(&loaded.event.title, &base, &rows, &events, &places)
    })
}

/// The public calendar as iCalendar: the same occurrences and filters as `GET /api/v1/events`
/// (without paging). Without `from`, it starts 90 days back, or covers the whole season when
/// `season_id` is given.
#[utoipa::path(
    get,
    path = "/calendar.ics",
    tag = "events",
    security(()),
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
        .then(|| piazza_shared::clock::now() - Duration::days(DEFAULT_PAST_DAYS));
    let public = PublicFilter::read(&filter, state.settings.time_zone, default_from)?;
    let conn = state.db.conn();
    let rows: Vec<occurrences::Brief> = public_occurrences(&public, state.db.backend())
        .into_model::<occurrences::Brief>()
        .all(conn)
        .await?;
    let events = events_by_id(conn, distinct(rows.iter().map(|o| o.event_id))).await?;
    let places = places_of(conn, events.values().filter_map(|e| e.space_id)).await?;
    let base = state.settings.public_url();
    let tag = etag("Piazza", &base, &rows, &events, &places);
    Ok(answer(&state.feeds, tag, &headers, || {
        write("Piazza", &base, &rows, &events, &places)
    }))
}

/// Documents `/api/v1/events/{id}.ics`, which `GET /api/v1/events/{id}` serves.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}.ics",
    tag = "events",
    security(()),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event's occurrences, RFC 5545", content_type = "text/calendar"),
        (status = 304, description = "Unchanged since the ETag sent in If-None-Match"),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
#[allow(dead_code)]
pub async fn event_ics_doc() {}
