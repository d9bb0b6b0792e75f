//! Spaces and bookings as the pages' templates show them: names, local times and statuses in
//! words, in the page's language.

use crate::{
    ops::spaces::{self, SpaceFilter},
    state::AppState,
    views::{BookingView, SpaceView},
};
use piazza_shared::{
    contracts::Feature,
    http::ApiError,
    images::ImageView,
    time::parse_zone,
    web::{Lang, words},
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Serialize)]
pub struct SpaceRow {
    pub id: Uuid,
    pub name: String,
    pub building: String,
    pub address: String,
    pub kind: String,
    pub capacity: u32,
    /// Equipment labels in the page's language.
    pub equipment: Vec<&'static str>,
    /// Accessibility labels in the page's language.
    pub accessibility: Vec<&'static str>,
    pub status: String,
    pub time_zone: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub image: Option<ImageView>,
}

/// The labels of vocabulary codes in `lang`.
pub fn labels<F: Feature>(codes: &[F], lang: Lang) -> Vec<&'static str> {
    codes.iter().map(|c| c.label(lang.language())).collect()
}

impl SpaceRow {
    pub fn new(s: &SpaceView, lang: Lang) -> Self {
        let text = |v: &dyn erased::AsStr| v.as_text();
        Self {
            id: s.id,
            name: s.name.clone(),
            building: s.building.clone(),
            address: s.address.clone(),
            kind: text(&s.kind),
            capacity: s.capacity,
            equipment: labels(&s.equipment, lang),
            accessibility: labels(&s.accessibility, lang),
            status: text(&s.status),
            time_zone: s.time_zone.clone(),
            latitude: s.latitude,
            longitude: s.longitude,
            image: s.image.clone(),
        }
    }
}

/// Enum values as their JSON names, without naming each type.
mod erased {
    pub trait AsStr {
        fn as_text(&self) -> String;
    }
    impl<T: serde::Serialize> AsStr for T {
        fn as_text(&self) -> String {
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }
    }
}

/// Every space of the catalogue (a few hundred at most) that `filter` lets through, by name.
pub async fn all_spaces(app: &AppState, filter: SpaceFilter) -> Result<Vec<SpaceView>, ApiError> {
    let mut items = Vec::new();
    let mut filter = filter;
    filter.limit = Some(500);
    loop {
        let page = spaces::list(app, filter.clone()).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(cursor) => filter.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(items)
}

#[derive(Debug, Serialize)]
pub struct BookingRow {
    pub id: Uuid,
    pub title: String,
    pub space: String,
    pub when: String,
    pub status: String,
    pub status_text: String,
    pub reason: Option<String>,
    pub organisation: Option<String>,
    pub attendees: u32,
    pub series: bool,
}

pub fn booking_rows(
    bookings: &[BookingView],
    spaces: &HashMap<Uuid, SpaceView>,
    app: &AppState,
    lang: Lang,
) -> Vec<BookingRow> {
    bookings
        .iter()
        .map(|b| {
            let space = spaces.get(&b.space_id);
            let zone = space
                .and_then(|s| parse_zone(&s.time_zone).ok())
                .unwrap_or(app.settings.time_zone);
            let status = erased::AsStr::as_text(&b.status);
            BookingRow {
                id: b.id,
                title: b.title.clone(),
                space: space
                    .map(|s| format!("{} — {}", s.name, s.building))
                    .unwrap_or_default(),
                when: words::span(b.starts_at, b.ends_at, zone, lang),
                status_text: booking_status(&status, lang),
                status,
                reason: b.reason.clone(),
                organisation: b.organisation.clone(),
                attendees: b.attendees,
                series: b.series_id.is_some(),
            }
        })
        .collect()
}

/// A booking's status in words: a booking (*prenotazione*) is feminine in Italian, where the
/// shared words are an event's.
fn booking_status(status: &str, lang: Lang) -> String {
    match status {
        "cancelled" => lang.pick("annullata", "cancelled").to_string(),
        other => words::status(other, lang),
    }
}

pub fn by_id(spaces: Vec<SpaceView>) -> HashMap<Uuid, SpaceView> {
    spaces.into_iter().map(|s| (s.id, s)).collect()
}

/// A sign-off's status in words.
pub fn signoff_status(status: &str, lang: Lang) -> &'static str {
    match status {
        "approved" => lang.pick("approvato", "approved"),
        "rejected" => lang.pick("respinto", "rejected"),
        _ => lang.pick("in attesa", "pending"),
    }
}

/// One sector's sign-off of a request, as the operator's page shows it.
#[derive(Debug, Serialize)]
pub struct SignoffLine {
    pub sector: String,
    pub status: String,
    pub status_text: &'static str,
    pub reason: Option<String>,
}

/// The sign-offs of the bookings `ids`, by booking, with sector names in `lang`: one query for
/// the sign-offs and one for the sectors' names, whatever the number of bookings.
pub async fn signoff_lines(
    app: &AppState,
    ids: &[Uuid],
    lang: Lang,
) -> Result<HashMap<Uuid, Vec<SignoffLine>>, ApiError> {
    let conn = app.db.conn();
    let found = crate::db::signoffs::of_bookings(conn, ids).await?;
    if found.is_empty() {
        return Ok(HashMap::new());
    }
    let names: HashMap<String, String> = crate::db::sectors::all(conn)
        .await?
        .into_iter()
        .map(|s| (s.code, lang.pick(&s.name_it, &s.name_en).to_string()))
        .collect();
    let mut lines: HashMap<Uuid, Vec<SignoffLine>> = HashMap::new();
    for s in found {
        lines.entry(s.booking_id).or_default().push(SignoffLine {
            sector: names
                .get(&s.sector)
                .cloned()
                .unwrap_or_else(|| s.sector.clone()),
            status_text: signoff_status(&s.status, lang),
            status: s.status,
            reason: s.reason,
        });
    }
    Ok(lines)
}
