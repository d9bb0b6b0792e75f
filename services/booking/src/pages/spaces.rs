//! The administrator's pages for spaces: the catalogue as a tree (buildings, floors, rooms) with
//! the form to add a space under a parent, and each space's page — its fields, its weekly
//! opening hours, the dates with their own hours and the closures, each listed with a button to
//! remove it. Every change goes through the same use case as the API.

use super::{rows, state::PageState};
use crate::{
    domain::{OpeningHours, SpaceKind, SpaceStatus},
    error::BookingError,
    ops::{
        closures::{self, NewClosure},
        hours::{self, NewException},
        spaces::{self, NewSpace, SpaceFilter, SpacePatch},
    },
    views::SpaceView,
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde};
use piazza_shared::{
    contracts::{Accessibility, Equipment, Feature},
    http::{ApiError, FieldError, Path},
    time::{Weekday, parse_zone},
    web::{AdminOnly, CsrfForm, FormData, Lang, PageCtx, SignedIn, page::see_other, words},
};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

const KINDS: [(SpaceKind, &str, &str); 6] = [
    (SpaceKind::Room, "stanza", "room"),
    (SpaceKind::Hall, "sala", "hall"),
    (SpaceKind::Courtyard, "cortile", "courtyard"),
    (SpaceKind::Square, "piazza", "square"),
    (SpaceKind::Lab, "laboratorio", "workshop"),
    (SpaceKind::Other, "altro", "other"),
];

const STATUSES: [(SpaceStatus, &str, &str); 3] = [
    (SpaceStatus::Open, "aperto", "open"),
    (SpaceStatus::UnderWorks, "in lavori", "under works"),
    (SpaceStatus::Retired, "dismesso", "retired"),
];

pub(super) const DAYS: [(Weekday, &str, &str, &str); 7] = [
    (Weekday::Mon, "mon", "lunedì", "Monday"),
    (Weekday::Tue, "tue", "martedì", "Tuesday"),
    (Weekday::Wed, "wed", "mercoledì", "Wednesday"),
    (Weekday::Thu, "thu", "giovedì", "Thursday"),
    (Weekday::Fri, "fri", "venerdì", "Friday"),
    (Weekday::Sat, "sat", "sabato", "Saturday"),
    (Weekday::Sun, "sun", "domenica", "Sunday"),
];

pub(super) fn kind_name(kind: SpaceKind, lang: Lang) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map_or("", |(_, it, en)| lang.pick(it, en))
}

fn status_name(status: SpaceStatus, lang: Lang) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _, _)| *s == status)
        .map_or("", |(_, it, en)| lang.pick(it, en))
}

/// The use case's words for a field, in the page's language where the page knows them.
fn say(message: &str, ctx: &PageCtx) -> String {
    let pairs = [
        ("must be between -90 and 90", "da -90 a 90", "-90 to 90"),
        (
            "must be between -180 and 180",
            "da -180 a 180",
            "-180 to 180",
        ),
        (
            "must be between 0 and 1440 minutes",
            "da 0 a 1440 minuti",
            "0 to 1440 minutes",
        ),
        ("must not be empty", "obbligatorio", "required"),
        (
            "must be between 1 and 100000",
            "da 1 a 100000",
            "1 to 100000",
        ),
        (
            "must be after opens",
            "deve venire dopo l'apertura",
            "must come after the opening",
        ),
        (
            "must be after starts_at",
            "deve venire dopo l'inizio",
            "must come after the start",
        ),
        (
            "a space cannot be inside itself",
            "uno spazio non può stare dentro sé stesso",
            "a space cannot be inside itself",
        ),
        (
            "no space has this id",
            "spazio sconosciuto",
            "unknown space",
        ),
    ];
    pairs
        .iter()
        .find(|(key, _, _)| message.starts_with(key))
        .map(|(_, it, en)| ctx.t(it, en).to_string())
        .unwrap_or_else(|| message.to_string())
}

/// One checkbox of a vocabulary on the space forms.
#[derive(Serialize)]
struct Choice {
    code: &'static str,
    label: &'static str,
    checked: bool,
}

/// Every code of a vocabulary as a checkbox, those in `checked` (comma-separated codes, as the
/// form's values keep them) ticked.
fn feature_choices<F: Feature>(checked: Option<&String>, lang: Lang) -> Vec<Choice> {
    let checked: Vec<&str> = checked.map_or(Vec::new(), |c| c.split(',').collect());
    F::ALL
        .iter()
        .map(|f| Choice {
            code: f.as_str(),
            label: f.label(lang.language()),
            checked: checked.contains(&f.as_str()),
        })
        .collect()
}

/// The codes ticked on the form; a value that is no code (a hand-made form) is left out.
fn ticked<F: Feature>(form: &FormData, name: &str) -> Vec<F> {
    form.all(name).iter().filter_map(|c| F::parse(c)).collect()
}

/// The form's values to show again, with each vocabulary's ticked codes comma-separated.
fn values_of(form: &FormData) -> BTreeMap<String, String> {
    let mut values = form.to_map();
    for name in ["equipment", "accessibility"] {
        values.insert(name.to_string(), form.all(name).join(","));
    }
    values
}

#[derive(Serialize)]
struct Node {
    id: Uuid,
    name: String,
    building: String,
    kind: &'static str,
    capacity: u32,
    status: &'static str,
    children: Vec<Node>,
}

fn tree(spaces: &[SpaceView], parent: Option<Uuid>, lang: Lang) -> Vec<Node> {
    spaces
        .iter()
        .filter(|s| s.parent_id == parent)
        .map(|s| Node {
            id: s.id,
            name: s.name.clone(),
            building: s.building.clone(),
            kind: kind_name(s.kind, lang),
            capacity: s.capacity,
            status: status_name(s.status, lang),
            children: tree(spaces, Some(s.id), lang),
        })
        .collect()
}

/// Every space as (id, "name — building"), indented by depth, for a parent picker.
fn choices(spaces: &[SpaceView], parent: Option<Uuid>, depth: usize) -> Vec<(Uuid, String)> {
    let mut list = Vec::new();
    for s in spaces.iter().filter(|s| s.parent_id == parent) {
        list.push((s.id, format!("{}{}", "— ".repeat(depth), s.name)));
        list.extend(choices(spaces, Some(s.id), depth + 1));
    }
    list
}

/// Values and their words, for a select.
type Choices = Vec<(&'static str, &'static str)>;

fn options(ctx: &PageCtx) -> (Choices, Choices) {
    let kinds = KINDS
        .iter()
        .map(|(k, it, en)| (k.as_str(), ctx.lang.pick(it, en)))
        .collect();
    let statuses = STATUSES
        .iter()
        .map(|(s, it, en)| (s.as_str(), ctx.lang.pick(it, en)))
        .collect();
    (kinds, statuses)
}

async fn catalogue_page(
    state: &PageState,
    ctx: &PageCtx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let spaces = match rows::all_spaces(&state.app, SpaceFilter::default()).await {
        Ok(spaces) => spaces,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let (kinds, _) = options(ctx);
    let equipment = feature_choices::<Equipment>(values.get("equipment"), ctx.lang);
    let accessibility = feature_choices::<Accessibility>(values.get("accessibility"), ctx.lang);
    ctx.render_status(
        &state.templates,
        status,
        "spaces.html",
        context! {
            tree => Serde(tree(&spaces, None, ctx.lang)),
            parents => Serde(choices(&spaces, None, 0)),
            kinds => kinds,
            equipment => Serde(equipment),
            accessibility => Serde(accessibility),
            v => values,
            errors => errors,
            done => ctx.param("done"),
        },
    )
}

/// `GET /admin/spaces`: the tree of spaces and the form to add one.
pub async fn catalogue(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let mut values = BTreeMap::new();
    values.insert("kind".to_string(), "room".to_string());
    values.insert("parent_id".to_string(), ctx.param("parent").to_string());
    catalogue_page(&state, &ctx, StatusCode::OK, values, BTreeMap::new()).await
}

/// Validation errors as the form's fields, in words.
fn field_errors(list: Vec<FieldError>, ctx: &PageCtx) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    for e in list {
        let field = match e.field.split_once('[') {
            // `opening_hours[2].closes`: the row of that day (the page sends the days in order).
            Some(("opening_hours", rest)) => {
                let index: usize = rest
                    .split(']')
                    .next()
                    .and_then(|i| i.parse().ok())
                    .unwrap_or(0);
                format!("hours-{index}")
            }
            // `equipment[3]`: the list's one field.
            Some((name, _)) => name.to_string(),
            None => e.field.clone(),
        };
        errors.entry(field).or_insert_with(|| say(&e.message, ctx));
    }
    errors
}

fn capacity(form: &FormData, errors: &mut BTreeMap<String, String>, ctx: &PageCtx) -> i64 {
    form.get("capacity").parse::<i64>().unwrap_or_else(|_| {
        errors.insert(
            "capacity".into(),
            ctx.t("un numero intero", "a whole number").into(),
        );
        0
    })
}

/// `POST /admin/spaces`: adds a space (under the chosen parent, whose building and address it
/// takes when left empty).
pub async fn create(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let parent = match form.get("parent_id") {
        "" => None,
        id => match Uuid::parse_str(id) {
            Ok(id) => spaces::get(&state.app, id).await.ok(),
            Err(_) => None,
        },
    };
    if !form.get("parent_id").is_empty() && parent.is_none() {
        errors.insert(
            "parent_id".into(),
            ctx.t("spazio sconosciuto", "unknown space").into(),
        );
    }
    let inherited = |field: &str, of: fn(&SpaceView) -> &String| {
        let typed = form.get(field).trim().to_string();
        match (&parent, typed.is_empty()) {
            (Some(p), true) => of(p).clone(),
            _ => typed,
        }
    };
    let building = inherited("building", |p| &p.building);
    let address = inherited("address", |p| &p.address);
    let capacity = capacity(&form, &mut errors, &ctx);
    let kind = SpaceKind::parse(form.get("kind")).unwrap_or(SpaceKind::Other);
    if errors.is_empty() {
        let body = NewSpace {
            name: form.get("name").to_string(),
            building,
            address,
            kind,
            capacity,
            accessibility: ticked(&form, "accessibility"),
            equipment: ticked(&form, "equipment"),
            time_zone: parent.as_ref().map(|p| p.time_zone.clone()),
            opening_hours: parent
                .as_ref()
                .map(|p| p.opening_hours.clone())
                .unwrap_or_default(),
            parent_id: parent.as_ref().map(|p| p.id),
            status: None,
            funding: None,
            latitude: None,
            longitude: None,
            setup_minutes: None,
            teardown_minutes: None,
        };
        match spaces::create(&state.app, &caller, body)
            .await
            .map_err(ApiError::from)
        {
            Ok(space) => return see_other(&format!("/admin/spaces/{}?done=created", space.id)),
            Err(ApiError::Validation(list)) => errors = field_errors(list, &ctx),
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    catalogue_page(
        &state,
        &ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        values_of(&form),
        errors,
    )
    .await
}

#[derive(Serialize)]
struct Dated {
    id: Uuid,
    when: String,
    reason: String,
}

/// One space's page: its form filled from `values` (or from the space), errors by field.
pub(super) async fn space_page(
    state: &PageState,
    ctx: &PageCtx,
    id: Uuid,
    status: StatusCode,
    values: Option<BTreeMap<String, String>>,
    errors: BTreeMap<String, String>,
) -> Response {
    let found = spaces::get(&state.app, id).await.map_err(ApiError::from);
    let all = rows::all_spaces(&state.app, SpaceFilter::default()).await;
    let exceptions = hours::list_exceptions(&state.app, id)
        .await
        .map_err(ApiError::from);
    let closed = closures::list(&state.app, id).await.map_err(ApiError::from);
    let (space, all, exceptions, closed) = match (found, all, exceptions, closed) {
        (Ok(s), Ok(a), Ok(e), Ok(c)) => (s, a, e, c),
        (Err(error), ..) | (_, Err(error), ..) | (_, _, Err(error), _) | (.., Err(error)) => {
            return ctx.api_error(&state.templates, error);
        }
    };
    let zone = parse_zone(&space.time_zone).unwrap_or(state.app.settings.time_zone);
    let values = values.unwrap_or_else(|| {
        let mut v = BTreeMap::new();
        v.insert("name".into(), space.name.clone());
        v.insert("building".into(), space.building.clone());
        v.insert("address".into(), space.address.clone());
        v.insert("kind".into(), space.kind.as_str().to_string());
        v.insert("status".into(), space.status.as_str().to_string());
        v.insert("capacity".into(), space.capacity.to_string());
        let codes = |list: Vec<&str>| list.join(",");
        v.insert(
            "equipment".into(),
            codes(space.equipment.iter().map(|e| e.as_str()).collect()),
        );
        v.insert(
            "accessibility".into(),
            codes(space.accessibility.iter().map(|a| a.as_str()).collect()),
        );
        let coordinate = |c: Option<f64>| c.map(|c| c.to_string()).unwrap_or_default();
        v.insert("latitude".into(), coordinate(space.latitude));
        v.insert("longitude".into(), coordinate(space.longitude));
        v.insert("setup_minutes".into(), space.setup_minutes.to_string());
        v.insert(
            "teardown_minutes".into(),
            space.teardown_minutes.to_string(),
        );
        v.insert(
            "parent_id".into(),
            space.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        );
        for (day, code, _, _) in DAYS {
            if let Some(window) = space.opening_hours.iter().find(|h| h.weekday == day) {
                v.insert(format!("opens_{code}"), window.opens.clone());
                v.insert(format!("closes_{code}"), window.closes.clone());
            }
        }
        v
    });
    let days: Vec<(usize, &str, &str)> = DAYS
        .iter()
        .enumerate()
        .map(|(i, (_, code, it, en))| (i, *code, ctx.lang.pick(it, en)))
        .collect();
    let exceptions: Vec<Dated> = exceptions
        .items
        .into_iter()
        .map(|e| {
            let day = chrono::NaiveDate::parse_from_str(&e.date, "%Y-%m-%d")
                .map(|d| words::date(d, ctx.lang))
                .unwrap_or(e.date);
            let hours = if e.opening_hours.is_empty() {
                ctx.t("chiuso tutto il giorno", "closed all day")
                    .to_string()
            } else {
                e.opening_hours
                    .iter()
                    .map(|w| format!("{}–{}", w.opens, w.closes))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Dated {
                id: e.id,
                when: format!("{day}: {hours}"),
                reason: e.reason,
            }
        })
        .collect();
    let closed: Vec<Dated> = closed
        .into_iter()
        .map(|c| Dated {
            id: c.id,
            when: words::span(c.starts_at, c.ends_at, zone, ctx.lang),
            reason: c.reason,
        })
        .collect();
    let (kinds, statuses) = options(ctx);
    let parents: Vec<(Uuid, String)> = choices(&all, None, 0)
        .into_iter()
        .filter(|(p, _)| *p != id)
        .collect();
    let children = tree(&all, Some(id), ctx.lang);
    let equipment = feature_choices::<Equipment>(values.get("equipment"), ctx.lang);
    let accessibility = feature_choices::<Accessibility>(values.get("accessibility"), ctx.lang);
    ctx.render_status(
        &state.templates,
        status,
        "space.html",
        context! {
            space => context! { id => space.id.to_string(), name => space.name, time_zone => space.time_zone, image => Serde(space.image) },
            v => values,
            errors => errors,
            days => days,
            kinds => kinds,
            statuses => statuses,
            equipment => Serde(equipment),
            accessibility => Serde(accessibility),
            parents => Serde(parents),
            children => Serde(children),
            exceptions => Serde(exceptions),
            closures => Serde(closed),
            done => ctx.param("done"),
        },
    )
}

/// `GET /admin/spaces/{id}`.
pub async fn show(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    space_page(&state, &ctx, id, StatusCode::OK, None, BTreeMap::new()).await
}

/// The weekly hours of the form: a row per day, both times or neither (closed that day); with
/// the form row each window came from, since the use case names a window by its place in the
/// list.
fn weekly(
    form: &FormData,
    errors: &mut BTreeMap<String, String>,
    ctx: &PageCtx,
) -> (Vec<OpeningHours>, Vec<usize>) {
    let mut list = Vec::new();
    for (i, (day, code, _, _)) in DAYS.iter().enumerate() {
        let (opens, closes) = (
            form.get(&format!("opens_{code}")),
            form.get(&format!("closes_{code}")),
        );
        match (opens.is_empty(), closes.is_empty()) {
            (true, true) => {}
            (false, false) => list.push((
                i,
                OpeningHours {
                    weekday: *day,
                    opens: opens.to_string(),
                    closes: closes.to_string(),
                },
            )),
            _ => {
                errors.insert(
                    format!("hours-{i}"),
                    ctx.t(
                        "servono apertura e chiusura, o nessuna delle due (chiuso)",
                        "give both opening and closing, or neither (closed)",
                    )
                    .to_string(),
                );
            }
        }
    }
    list.into_iter().map(|(i, h)| (h, i)).unzip()
}

/// An optional number field: empty is `None`; anything else must read as a number (a decimal
/// comma is read as a point).
fn number<T: std::str::FromStr>(
    form: &FormData,
    name: &str,
    errors: &mut BTreeMap<String, String>,
    ctx: &PageCtx,
) -> Option<T> {
    match form.get(name) {
        "" => None,
        text => text.replace(',', ".").parse().ok().or_else(|| {
            errors.insert(name.to_string(), ctx.t("un numero", "a number").to_string());
            None
        }),
    }
}

/// `POST /admin/spaces/{id}`: changes the space's fields and weekly hours.
pub async fn update(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let capacity = capacity(&form, &mut errors, &ctx);
    let (hours, rows_of_windows) = weekly(&form, &mut errors, &ctx);
    let latitude = number(&form, "latitude", &mut errors, &ctx);
    let longitude = number(&form, "longitude", &mut errors, &ctx);
    let setup_minutes = number(&form, "setup_minutes", &mut errors, &ctx);
    let teardown_minutes = number(&form, "teardown_minutes", &mut errors, &ctx);
    let parent_id = match form.get("parent_id") {
        "" => Some(None),
        text => match Uuid::parse_str(text) {
            Ok(p) => Some(Some(p)),
            Err(_) => {
                errors.insert(
                    "parent_id".into(),
                    ctx.t("spazio sconosciuto", "unknown space").into(),
                );
                None
            }
        },
    };
    if errors.is_empty() {
        let patch = SpacePatch {
            name: Some(form.get("name").to_string()),
            building: Some(form.get("building").to_string()),
            address: Some(form.get("address").to_string()),
            kind: SpaceKind::parse(form.get("kind")),
            capacity: Some(capacity),
            opening_hours: Some(hours),
            status: SpaceStatus::parse(form.get("status")),
            parent_id,
            equipment: Some(ticked(&form, "equipment")),
            accessibility: Some(ticked(&form, "accessibility")),
            latitude,
            longitude,
            setup_minutes,
            teardown_minutes,
            ..SpacePatch::default()
        };
        match spaces::update(&state.app, &caller, id, patch).await {
            Ok(_) => return see_other(&format!("/admin/spaces/{id}?done=saved")),
            Err(BookingError::TreeClash { clashes, .. }) => {
                errors.insert(
                    "parent_id".into(),
                    format!(
                        "{} ({})",
                        ctx.t(
                            "dentro quello spazio, prenotazioni in corso si sovrapporrebbero",
                            "inside that space, live bookings would overlap",
                        ),
                        clashes.len()
                    ),
                );
            }
            Err(error) => match ApiError::from(error) {
                ApiError::Validation(list) => {
                    for (field, message) in field_errors(list, &ctx) {
                        // `hours-<i>` counts the windows sent; show it on the day's row.
                        let field = match field
                            .strip_prefix("hours-")
                            .and_then(|i| i.parse::<usize>().ok())
                        {
                            Some(i) => {
                                format!("hours-{}", rows_of_windows.get(i).copied().unwrap_or(i))
                            }
                            None => field,
                        };
                        errors.insert(field, message);
                    }
                }
                error => return ctx.api_error(&state.templates, error),
            },
        }
    }
    space_page(
        &state,
        &ctx,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(values_of(&form)),
        errors,
    )
    .await
}

async fn zone_of(state: &PageState, id: Uuid) -> chrono_tz::Tz {
    spaces::get(&state.app, id)
        .await
        .ok()
        .and_then(|s| parse_zone(&s.time_zone).ok())
        .unwrap_or(state.app.settings.time_zone)
}

/// `POST /admin/spaces/{id}/exceptions`: a date with its own hours, or closed all day.
pub async fn add_exception(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let windows = if form.get("all_day").is_empty() {
        let (opens, closes) = (form.get("ex_opens"), form.get("ex_closes"));
        if opens.is_empty() || closes.is_empty() {
            errors.insert(
                "ex_opens".into(),
                ctx.t(
                    "dai l'orario di quel giorno, o scegli «chiuso tutto il giorno»",
                    "give that day's hours, or choose \"closed all day\"",
                )
                .into(),
            );
        }
        vec![crate::domain::DayWindow {
            opens: opens.to_string(),
            closes: closes.to_string(),
        }]
    } else {
        Vec::new()
    };
    if errors.is_empty() {
        let body = NewException {
            date: form.get("ex_date").to_string(),
            opening_hours: windows,
            reason: form.get("ex_reason").to_string(),
        };
        match hours::set_exception(&state.app, &caller, id, body)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return see_other(&format!("/admin/spaces/{id}?done=exception#exceptions")),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    let field = match e.field.as_str() {
                        "date" => "ex_date",
                        "reason" => "ex_reason",
                        _ => "ex_opens",
                    };
                    let message = if field == "ex_date" {
                        ctx.t("scegli un giorno", "choose a day").to_string()
                    } else {
                        say(&e.message, &ctx)
                    };
                    errors.entry(field.to_string()).or_insert(message);
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    space_page(
        &state,
        &ctx,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(form.to_map()),
        errors,
    )
    .await
}

/// `POST /admin/spaces/{id}/closures`: closes the space from one day and time to another.
pub async fn add_closure(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let zone = zone_of(&state, id).await;
    let mut errors = BTreeMap::new();
    // Without a time, a closure runs from the start of its first day to the end of its last.
    let mut instant = |field: &str, end: bool| {
        let (day, time) = (form.get(field), form.get(&format!("{field}_time")));
        let day = match (
            end && time.is_empty(),
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d"),
        ) {
            (true, Ok(d)) => d.succ_opt().map(|d| d.to_string()).unwrap_or_default(),
            _ => day.to_string(),
        };
        let time = if time.is_empty() { "00:00" } else { time };
        words::local_instant(&day, time, zone).unwrap_or_else(|_| {
            errors.insert(
                field.to_string(),
                ctx.t("scegli il giorno", "choose the day").to_string(),
            );
            String::new()
        })
    };
    let starts_at = instant("cl_from", false);
    let ends_at = instant("cl_to", true);
    let recurrence = if form.get("cl_weekly").is_empty() {
        None
    } else {
        match form.get("cl_weeks").parse::<u32>() {
            Ok(weeks @ 2..=200) => Some(format!("FREQ=WEEKLY;COUNT={weeks}")),
            _ => {
                errors.insert(
                    "cl_weeks".into(),
                    ctx.t("da 2 a 200 settimane", "2 to 200 weeks").into(),
                );
                None
            }
        }
    };
    if errors.is_empty() {
        let body = NewClosure {
            starts_at,
            ends_at,
            reason: form.get("cl_reason").to_string(),
            recurrence,
            works: form.opt("cl_works").is_some(),
            sector: None,
        };
        match closures::add(&state.app, &caller, id, body).await {
            Ok(_) => return see_other(&format!("/admin/spaces/{id}?done=closure#closures")),
            Err(BookingError::BookingsInTheWay(list)) => {
                errors.insert(
                    "cl_from".into(),
                    format!(
                        "{} ({})",
                        ctx.t(
                            "prenotazioni in corso occupano quel periodo: annullale o spostale prima",
                            "live bookings hold that time: cancel or move them first",
                        ),
                        list.len()
                    ),
                );
            }
            Err(error) => match ApiError::from(error) {
                ApiError::Validation(list) => {
                    for e in list {
                        let field = match e.field.as_str() {
                            "reason" => "cl_reason",
                            "ends_at" => "cl_to",
                            _ => "cl_from",
                        };
                        errors
                            .entry(field.to_string())
                            .or_insert_with(|| say(&e.message, &ctx));
                    }
                }
                // A closure for works by someone outside Maintenance.
                ApiError::Forbidden(_) => {
                    errors.insert(
                        "cl_works".into(),
                        ctx.t(
                            "solo i membri del settore Manutenzioni chiudono uno spazio per lavori",
                            "only members of Maintenance close a space for works",
                        )
                        .into(),
                    );
                }
                error => return ctx.api_error(&state.templates, error),
            },
        }
    }
    space_page(
        &state,
        &ctx,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(form.to_map()),
        errors,
    )
    .await
}

/// `POST /admin/spaces/{id}/exceptions/{item}/remove` and `…/closures/{item}/remove`.
pub async fn remove(
    State(state): State<PageState>,
    Path((id, what, item)): Path<(Uuid, String, Uuid)>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    let done = match what.as_str() {
        "exceptions" => hours::remove_exception(&state.app, &caller, id, item).await,
        "closures" => closures::remove(&state.app, &caller, id, item).await,
        _ => Err(ApiError::NotFound("page").into()),
    };
    match done {
        Ok(()) => see_other(&format!("/admin/spaces/{id}?done=removed#{what}")),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}
