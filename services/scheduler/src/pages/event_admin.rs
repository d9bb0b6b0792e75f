//! An administrator's events: the form that creates one — once, or weekly with the rule chosen
//! in words (on these days, every N weeks, until a date) — and edits it, the cancellation with
//! its reason, and taking it into the programme. Each calls the op its API route calls
//! (`ops::events::{create, changes, lifecycle}`).

use super::{
    repeat::{DAYS, Weekly},
    say::{self, Refused},
    state::PageState,
};
use crate::{
    ops::{
        events::{
            self as event_ops,
            changes::{self, EventPatch},
            create::{self, NewEvent},
            lifecycle::{self, CancelEvent},
        },
        seasons, spaces,
    },
    views::EventView,
};
use axum::{extract::State, http::StatusCode, response::Response};
use chrono::NaiveDate;
use minijinja::{Value, context, value::Serde};
use piazza_shared::{
    auth::Caller,
    contracts::Category,
    http::{ApiError, Path},
    time::parse_zone,
    web::{AdminOnly, CsrfForm, FormData, PageCtx, SignedIn, messages, page::see_other, words},
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The form's field for an API field at fault.
fn form_field(api_field: &str) -> String {
    match api_field {
        "starts_at" | "time_zone" => "start".into(),
        "ends_at" => "end".into(),
        "recurrence" | "exdates" => "until".into(),
        f if f.starts_with("categories") => "categories".into(),
        f => f.to_string(),
    }
}

/// The form, empty or holding `v`, with the choices of spaces and seasons.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &PageState,
    ctx: &PageCtx,
    status: StatusCode,
    editing: Option<&EventView>,
    v: BTreeMap<String, String>,
    chosen: Vec<String>,
    days: Vec<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let choices = async {
        let spaces: Vec<Value> = spaces::list(&state.app)
            .await?
            .into_iter()
            .map(|s| context! { id => s.id.to_string(), label => format!("{} — {}", s.name, s.building) })
            .collect();
        let seasons: Vec<Value> = seasons::list(&state.app)
            .await?
            .into_iter()
            .filter(|s| s.status.as_str() != "archived")
            .map(|s| context! { id => s.id.to_string(), label => s.name })
            .collect();
        Ok::<_, crate::error::SchedulerError>((spaces, seasons))
    };
    let (spaces, seasons) = match choices.await {
        Ok(choices) => choices,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    ctx.render_status(
        &state.templates,
        status,
        "event_form.html",
        context! {
            editing => editing.map(|e| context! { id => e.id.to_string(), title => &e.title, status => e.status.as_str() }),
            spaces => spaces,
            seasons => seasons,
            categories => words::categories(ctx.lang).into_iter().map(|(value, label)| context! { value => value, label => label }).collect::<Vec<_>>(),
            days => DAYS.iter().map(|(value, _, it, en)| context! { value => *value, label => ctx.lang.pick(it, en) }).collect::<Vec<_>>(),
            v => v, chosen => chosen, chosen_days => days, errors => errors,
            image => Serde(editing.and_then(|e| e.image.clone())), done => ctx.param("done"),
        },
    )
}

/// `GET /admin/events/new`.
pub async fn new_form(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let mut v = BTreeMap::from([
        ("repeat".to_string(), "once".to_string()),
        ("interval".to_string(), "1".to_string()),
    ]);
    let season = ctx.param("season_id");
    if !season.is_empty() {
        v.insert("season_id".into(), season.to_string());
    }
    form_page(
        &state,
        &ctx,
        StatusCode::OK,
        None,
        v,
        Vec::new(),
        Vec::new(),
        BTreeMap::new(),
    )
    .await
}

/// What the form asks for, read and checked as far as a page can (numbers, dates, the
/// repetition); the rest is the op's to check.
struct Filled {
    age_min: Option<i64>,
    age_max: Option<i64>,
    capacity: Option<i64>,
    starts_at: String,
    ends_at: String,
    recurrence: Option<String>,
    categories: Vec<Category>,
}

fn read(form: &FormData, ctx: &PageCtx, zone: chrono_tz::Tz) -> (Filled, BTreeMap<String, String>) {
    let mut errors = BTreeMap::new();
    let number = |name: &str, errors: &mut BTreeMap<String, String>| -> Option<i64> {
        let raw = form.get(name);
        if raw.is_empty() {
            return None;
        }
        raw.parse::<i64>()
            .map_err(|_| {
                errors.insert(
                    name.to_string(),
                    messages::field_error(name, "a whole number", ctx.lang),
                )
            })
            .ok()
    };
    let age_min = number("age_min", &mut errors);
    let age_max = number("age_max", &mut errors);
    let capacity = number("capacity", &mut errors);
    let starts_at = words::local_instant(form.get("date"), form.get("start"), zone)
        .map_err(|e| errors.insert("start".into(), messages::field_error("start", &e, ctx.lang)))
        .unwrap_or_default();
    let ends_at = words::local_instant(form.get("date"), form.get("end"), zone)
        .map_err(|e| errors.insert("end".into(), messages::field_error("end", &e, ctx.lang)))
        .unwrap_or_default();
    let recurrence = if form.get("repeat") == "weekly" {
        let interval = match form.get("interval") {
            "" => Some(1),
            raw => match raw.parse::<u32>() {
                Ok(n @ 1..=52) => Some(n),
                _ => {
                    errors.insert(
                        "interval".into(),
                        messages::field_error("interval", ctx.t("da 1 a 52", "1 to 52"), ctx.lang),
                    );
                    None
                }
            },
        };
        let until = match form.opt("until") {
            None => None,
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    errors.insert(
                        "until".into(),
                        messages::field_error("until", "use YYYY-MM-DD", ctx.lang),
                    );
                    None
                }
            },
        };
        interval.map(|interval| {
            Weekly {
                days: form.all("days"),
                interval,
                until,
            }
            .rule()
        })
    } else {
        None
    };
    let categories = form
        .all("categories")
        .iter()
        .filter_map(|c| Category::ALL.into_iter().find(|k| k.as_str() == c))
        .collect();
    (
        Filled {
            age_min,
            age_max,
            capacity,
            starts_at,
            ends_at,
            recurrence,
            categories,
        },
        errors,
    )
}

/// `POST /admin/events/new`: a draft event (with a space, booking is asked for it).
pub async fn create(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let zone = state.app.settings.time_zone;
    let (filled, mut errors) = read(&form, &ctx, zone);
    if errors.is_empty() {
        let body = NewEvent {
            season_id: form.opt("season_id").and_then(|s| Uuid::parse_str(s).ok()),
            programme_id: None,
            title: form.get("title").to_string(),
            description: form.get("description").to_string(),
            description_en: form.get("description_en").to_string(),
            categories: filled.categories,
            age_min: filled.age_min,
            age_max: filled.age_max,
            starts_at: filled.starts_at,
            ends_at: filled.ends_at,
            time_zone: Some(zone.name().to_string()),
            space_id: form.opt("space_id").and_then(|s| Uuid::parse_str(s).ok()),
            recurrence: filled.recurrence,
            exdates: Vec::new(),
            capacity: filled.capacity,
            waitlist: None,
            registration_closes_minutes: None,
            accessibility_notes: form.get("accessibility_notes").to_string(),
            price_cents: 0,
            organiser: form.opt("organiser").map(str::to_string),
            funding_line: None,
        };
        match create::create(&state.app, &caller, body).await {
            Ok(event) => return see_other(&format!("/admin/events?done=created&id={}", event.id)),
            Err(error) => match say::refused(error, ctx.lang, form_field) {
                Refused::Fields(found) => errors = found,
                Refused::Other(error) => return ctx.api_error(&state.templates, error),
            },
        }
    }
    form_page(
        &state,
        &ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        form.to_map(),
        form.all("categories"),
        form.all("days"),
        errors,
    )
    .await
}

/// The form's fields for a stored event.
fn filled_from(
    view: &EventView,
    fallback: chrono_tz::Tz,
) -> (BTreeMap<String, String>, Vec<String>) {
    let zone = parse_zone(&view.time_zone).unwrap_or(fallback);
    let start = view.starts_at.with_timezone(&zone);
    let end = view.ends_at.with_timezone(&zone);
    let mut v = BTreeMap::from([
        ("title".to_string(), view.title.clone()),
        ("description".to_string(), view.description.clone()),
        ("description_en".to_string(), view.description_en.clone()),
        ("date".to_string(), start.date_naive().to_string()),
        ("start".to_string(), start.format("%H:%M").to_string()),
        ("end".to_string(), end.format("%H:%M").to_string()),
        (
            "accessibility_notes".to_string(),
            view.accessibility_notes.clone(),
        ),
        (
            "organiser".to_string(),
            view.organisation.clone().unwrap_or_default(),
        ),
        ("repeat".to_string(), "once".to_string()),
        ("interval".to_string(), "1".to_string()),
    ]);
    for (name, value) in [
        ("age_min", view.age_min.map(u32::from)),
        ("age_max", view.age_max.map(u32::from)),
        ("capacity", view.capacity),
    ] {
        if let Some(value) = value {
            v.insert(name.to_string(), value.to_string());
        }
    }
    if let Some(space) = view.space_id {
        v.insert("space_id".into(), space.to_string());
    }
    if let Some(season) = view.season_id {
        v.insert("season_id".into(), season.to_string());
    }
    let mut days = Vec::new();
    if let Some(weekly) = view.recurrence.as_deref().and_then(Weekly::from_rule) {
        v.insert("repeat".into(), "weekly".into());
        v.insert("interval".into(), weekly.interval.to_string());
        if let Some(until) = weekly.until {
            v.insert("until".into(), until.to_string());
        }
        days = weekly.days;
    }
    (v, days)
}

pub(super) async fn edit_page(
    state: &PageState,
    ctx: &PageCtx,
    caller: &Caller,
    id: Uuid,
    status: StatusCode,
    form: Option<&FormData>,
    errors: BTreeMap<String, String>,
) -> Response {
    let view = match event_ops::get(&state.app, Some(caller), id).await {
        Ok(view) => view,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let (v, chosen, days) = match form {
        Some(form) => (form.to_map(), form.all("categories"), form.all("days")),
        None => {
            let (v, days) = filled_from(&view, state.app.settings.time_zone);
            let chosen = view
                .categories
                .iter()
                .map(|c| c.as_str().to_string())
                .collect();
            (v, chosen, days)
        }
    };
    form_page(state, ctx, status, Some(&view), v, chosen, days, errors).await
}

/// `GET /admin/events/{id}/edit`.
pub async fn edit_form(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    edit_page(
        &state,
        &ctx,
        &caller,
        id,
        StatusCode::OK,
        None,
        BTreeMap::new(),
    )
    .await
}

/// `POST /admin/events/{id}/edit`: the changed fields only, so an unchanged time does not
/// move the event's dates (and tell the people registered).
pub async fn edit(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let before = match event_ops::get(&state.app, Some(&caller), id).await {
        Ok(view) => view,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let zone = parse_zone(&before.time_zone).unwrap_or(state.app.settings.time_zone);
    let (filled, mut errors) = read(&form, &ctx, zone);
    if errors.is_empty() {
        let (was, was_days) = filled_from(&before, zone);
        let timing_changed = ["date", "start", "end", "repeat", "interval", "until"]
            .iter()
            .any(|name| was.get(*name).map(String::as_str).unwrap_or("") != form.get(name))
            || (form.get("repeat") == "weekly" && {
                let mut now = form.all("days");
                let mut then = was_days;
                now.sort();
                then.sort();
                now != then
            });
        let space = form.opt("space_id").and_then(|s| Uuid::parse_str(s).ok());
        let mut body = EventPatch {
            title: Some(form.get("title").to_string()),
            description: Some(form.get("description").to_string()),
            description_en: Some(form.get("description_en").to_string()),
            categories: Some(filled.categories),
            age_min: Some(filled.age_min),
            age_max: Some(filled.age_max),
            capacity: Some(filled.capacity),
            accessibility_notes: Some(form.get("accessibility_notes").to_string()),
            organiser: Some(form.opt("organiser").map(str::to_string)),
            ..EventPatch::default()
        };
        if space != before.space_id {
            body.space_id = Some(space);
        }
        if timing_changed {
            body.starts_at = Some(filled.starts_at);
            body.ends_at = Some(filled.ends_at);
            body.recurrence = Some(filled.recurrence);
        }
        match changes::patch(&state.app, &caller, id, body).await {
            Ok(_) => return see_other(&format!("/admin/events?done=saved&id={id}")),
            Err(error) => match say::refused(error, ctx.lang, form_field) {
                Refused::Fields(found) => errors = found,
                Refused::Other(error) => return ctx.api_error(&state.templates, error),
            },
        }
    }
    edit_page(
        &state,
        &ctx,
        &caller,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(&form),
        errors,
    )
    .await
}

/// Where an action's outcome is shown: the events list, with the refusal in words.
pub(super) fn back_with(
    ctx: &PageCtx,
    done: &str,
    result: Result<(), crate::error::SchedulerError>,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/admin/events?done={done}")),
        Err(error) => {
            let text = match say::refused(error, ctx.lang, str::to_string) {
                Refused::Fields(errors) => errors.into_values().collect::<Vec<_>>().join(" "),
                Refused::Other(ApiError::NotFound(_)) => {
                    ctx.t("Evento non trovato.", "Event not found.").to_string()
                }
                Refused::Other(other) => other.to_string(),
            };
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("failed", &text);
            see_other(&format!("/admin/events?{}", query.finish()))
        }
    }
}

/// `POST /admin/events/{id}/cancel`: every date cancelled, the people registered told why.
pub async fn cancel(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = CancelEvent {
        reason: form.get("reason").to_string(),
    };
    let result = lifecycle::cancel(&state.app, &caller, id, body).await;
    back_with(&ctx, "cancelled", result.map(|_| ()))
}

/// `POST /admin/events/{id}/schedule`: a draft or proposal taken into the programme (its held
/// space approved, or asked for again).
pub async fn schedule(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    let result = lifecycle::schedule(&state.app, &caller, id).await;
    back_with(&ctx, "scheduled", result.map(|_| ()))
}
