//! The operator's pages: find a free space, and request it once or weekly (conflicts explained
//! one by one, naming the room and why; a series may then take only its free dates). Their
//! bookings are in `mine.rs`.

use super::{map, rows, state::PageState};
use crate::{
    domain::SpaceStatus,
    ops::{
        bookings::{self, NewBooking},
        spaces::SpaceFilter,
    },
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde};
use piazza_shared::{
    http::ApiError,
    time::parse_zone,
    web::{CsrfForm, Lang, OperatorOrAdmin, PageCtx, SignedIn, page::see_other, words},
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// `/spaces/find?q=&date=&start=&end=&capacity=`: spaces matching the words (in Italian or
/// English, against names and equipment and accessibility labels), free for the whole time
/// when a day is given; with the map of what was found (of every open space before a search).
pub async fn find(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<OperatorOrAdmin>,
) -> Response {
    let zone = state.app.settings.time_zone;
    let (date, start, end) = (ctx.param("date"), ctx.param("start"), ctx.param("end"));
    let mut errors = BTreeMap::new();
    let mut filter = SpaceFilter::default();
    let words = ctx.param("q").trim();
    let searched = !date.is_empty() || !words.is_empty();
    if !words.is_empty() {
        filter.q = Some(words.to_string());
    }
    if !date.is_empty() {
        match (
            words::local_instant(date, start, zone),
            words::local_instant(date, end, zone),
        ) {
            (Ok(from), Ok(to)) => {
                filter.free_from = Some(from);
                filter.free_to = Some(to);
            }
            (from, to) => {
                if let Err(e) = from {
                    errors.insert("start", e);
                }
                if let Err(e) = to {
                    errors.insert("end", e);
                }
            }
        }
    }
    let capacity = ctx.param("capacity");
    if !capacity.is_empty() {
        match capacity.parse::<u32>() {
            Ok(n) => filter.capacity_min = Some(n),
            Err(_) => {
                errors.insert(
                    "capacity",
                    ctx.t("un numero intero", "a whole number").into(),
                );
            }
        }
    }
    filter.status = Some(SpaceStatus::Open);
    let open = SpaceFilter {
        status: Some(SpaceStatus::Open),
        ..SpaceFilter::default()
    };
    let all = match rows::all_spaces(&state.app, open).await {
        Ok(all) => all,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let found = if searched && errors.is_empty() {
        match rows::all_spaces(&state.app, filter).await {
            Ok(spaces) => spaces,
            Err(ApiError::Validation(list)) => {
                for e in list {
                    errors.insert(
                        if e.field == "free_to" { "end" } else { "start" },
                        e.message,
                    );
                }
                Vec::new()
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    } else {
        Vec::new()
    };
    let searched = searched && errors.is_empty();
    let drawn = map::map(if searched { &found } else { &all }, &all);
    ctx.render(
        &state.templates,
        "find.html",
        context! {
            searched => searched,
            free => !date.is_empty(),
            spaces => Serde(found.iter().map(|s| rows::SpaceRow::new(s, ctx.lang)).collect::<Vec<_>>()),
            map => Serde(drawn),
            errors => errors,
            q => context! { q => words, date => date, start => start, end => end, capacity => capacity },
        },
    )
}

async fn spaces_for_form(state: &PageState, lang: Lang) -> Result<Vec<rows::SpaceRow>, ApiError> {
    let spaces = rows::all_spaces(&state.app, SpaceFilter::default()).await?;
    Ok(spaces
        .iter()
        .map(|s| rows::SpaceRow::new(s, lang))
        .collect())
}

/// The request form, filled from the finder's link when it came from there.
pub async fn new_form(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<OperatorOrAdmin>,
) -> Response {
    let spaces = match spaces_for_form(&state, ctx.lang).await {
        Ok(spaces) => spaces,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let mut values = BTreeMap::new();
    for name in ["space_id", "date", "start", "end"] {
        values.insert(name.to_string(), ctx.param(name).to_string());
    }
    values.insert("attendees".into(), "10".into());
    values.insert("weeks".into(), "8".into());
    ctx.render(
        &state.templates,
        "booking_new.html",
        context! { spaces => Serde(spaces), v => values, errors => BTreeMap::<String, String>::new() },
    )
}

/// A field's refusal in the page's language: the use case's and the time parser's words for
/// what a person can get wrong on the form (anything else as it is).
fn say(message: &str, ctx: &PageCtx) -> String {
    let pairs = [
        ("must not be empty", "obbligatorio", "required"),
        (
            "must be at most 200 characters",
            "al massimo 200 caratteri",
            "at most 200 characters",
        ),
        ("must be at least 1", "almeno 1", "at least 1"),
        (
            "must be after starts_at",
            "deve venire dopo l'inizio",
            "must come after the start",
        ),
        (
            "must be in the future",
            "deve essere nel futuro",
            "must be in the future",
        ),
        (
            "outside the space's opening hours",
            "fuori dagli orari di apertura dello spazio",
            "outside the space's opening hours",
        ),
        ("use YYYY-MM-DD", "scegli il giorno", "choose the day"),
        ("use HH:MM", "scegli l'ora", "choose the time"),
        (
            "that time does not exist on that day (clocks change)",
            "quell'ora non esiste quel giorno (cambio dell'ora)",
            "that time does not exist on that day (clocks change)",
        ),
    ];
    if let Some(n) = message.strip_prefix("the space holds at most ") {
        let n = n.trim_end_matches(" people");
        return format!(
            "{} {n} {}",
            ctx.t("lo spazio tiene al massimo", "the space holds at most"),
            ctx.t("persone", "people")
        );
    }
    if message.starts_with("the space is ") {
        return ctx
            .t(
                "lo spazio non si può prenotare ora",
                "the space cannot be booked now",
            )
            .to_string();
    }
    pairs
        .iter()
        .find(|(key, _, _)| *key == message)
        .map(|(_, it, en)| ctx.t(it, en).to_string())
        .unwrap_or_else(|| message.to_string())
}

/// Where a field of the API's request is on the form.
fn form_field(api_field: &str) -> &str {
    match api_field {
        "starts_at" => "start",
        "ends_at" => "end",
        "recurrence" => "weeks",
        other => other,
    }
}

/// Requests the space as `POST /api/v1/bookings` does (the same use case), and shows what that
/// says.
pub async fn request(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<OperatorOrAdmin>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let spaces = match spaces_for_form(&state, ctx.lang).await {
        Ok(spaces) => spaces,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let space = Uuid::parse_str(form.get("space_id"))
        .ok()
        .and_then(|id| spaces.iter().find(|s| s.id == id));
    if space.is_none() {
        errors.insert(
            "space_id".into(),
            ctx.t("scegli uno spazio", "choose a space").into(),
        );
    }
    let zone = space
        .and_then(|s| parse_zone(&s.time_zone).ok())
        .unwrap_or(state.app.settings.time_zone);
    let starts_at = words::local_instant(form.get("date"), form.get("start"), zone)
        .map_err(|e| errors.insert("start".into(), say(&e, &ctx)))
        .unwrap_or_default();
    let ends_at = words::local_instant(form.get("date"), form.get("end"), zone)
        .map_err(|e| errors.insert("end".into(), say(&e, &ctx)))
        .unwrap_or_default();
    let attendees = form.get("attendees").parse::<i64>().unwrap_or_else(|_| {
        errors.insert(
            "attendees".into(),
            ctx.t("un numero intero", "a whole number").into(),
        );
        0
    });
    let recurrence = if form.get("weekly").is_empty() {
        None
    } else {
        match form.get("weeks").parse::<u32>() {
            Ok(weeks @ 2..=200) => Some(format!("FREQ=WEEKLY;COUNT={weeks}")),
            _ => {
                errors.insert(
                    "weeks".into(),
                    ctx.t("da 2 a 200 settimane", "2 to 200 weeks").into(),
                );
                None
            }
        }
    };
    let mut conflicts = Vec::new();
    if errors.is_empty()
        && let Some(space) = space
    {
        let body = NewBooking {
            space_id: space.id,
            title: form.get("title").to_string(),
            starts_at,
            ends_at,
            attendees,
            recurrence,
            skip_conflicts: !form.get("skip_conflicts").is_empty(),
        };
        match bookings::request(&state.app, &caller, body)
            .await
            .map_err(ApiError::from)
        {
            Ok(created) => {
                // The dates left out are named on the next page: their starts, in the query
                // (RFC 3339 in UTC, which needs no escaping there).
                let mut to = format!("/bookings?requested={}", created.booking.id);
                let skipped: Vec<String> = created
                    .skipped
                    .iter()
                    .filter_map(|c| c["starts_at"].as_str())
                    .filter_map(|s| piazza_shared::time::parse_instant(s).ok())
                    .map(|s| s.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .collect();
                if !skipped.is_empty() {
                    to.push_str("&skipped=");
                    to.push_str(&skipped.join(","));
                }
                return see_other(&to);
            }
            Err(ApiError::Validation(list)) => {
                for e in list {
                    errors.insert(form_field(&e.field).to_string(), say(&e.message, &ctx));
                }
            }
            Err(ApiError::Conflict {
                conflicts: list, ..
            }) => {
                conflicts = explain(&list, zone, &spaces, &ctx);
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    // A series of which some dates are free may take only those.
    let occurrences = if form.get("weekly").is_empty() {
        1
    } else {
        form.get("weeks").parse::<usize>().unwrap_or(0)
    };
    let can_skip = !conflicts.is_empty() && conflicts.len() < occurrences;
    ctx.render_status(
        &state.templates,
        if conflicts.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CONFLICT
        },
        "booking_new.html",
        context! {
            spaces => Serde(spaces), v => form.to_map(), errors => errors, conflicts => &conflicts,
            can_skip => can_skip, free => occurrences.saturating_sub(conflicts.len()),
        },
    )
}

/// Each conflicting occurrence of a 409 in words: when, where (the room in the way may be one
/// inside or around the one asked for), and what is in the way.
fn explain(
    conflicts: &[serde_json::Value],
    zone: chrono_tz::Tz,
    spaces: &[rows::SpaceRow],
    ctx: &PageCtx,
) -> Vec<String> {
    conflicts
        .iter()
        .map(|c| {
            let instant = |key: &str| {
                c[key]
                    .as_str()
                    .and_then(|s| piazza_shared::time::parse_instant(s).ok())
            };
            let when = match (instant("starts_at"), instant("ends_at")) {
                (Some(s), Some(e)) => words::span(s, e, zone, ctx.lang),
                _ => String::new(),
            };
            let reason = c["reason"].as_str().unwrap_or("");
            let reason = if let Some(why) = reason.strip_prefix("closed: ") {
                format!(
                    "{}: {why}",
                    ctx.t("lo spazio è chiuso", "the space is closed")
                )
            } else if reason.contains("approved booking") {
                ctx.t(
                    "si sovrappone a una prenotazione già approvata",
                    "overlaps an approved booking",
                )
                .to_string()
            } else if reason.contains("requested booking") {
                ctx.t(
                    "si sovrappone a una richiesta in attesa di approvazione",
                    "overlaps a request awaiting approval",
                )
                .to_string()
            } else if reason.contains("opening hours") {
                ctx.t("fuori dagli orari di apertura", "outside the opening hours")
                    .to_string()
            } else if let Some(why) = reason.strip_prefix("the space is closed then: ") {
                format!(
                    "{}: {why}",
                    ctx.t("lo spazio è chiuso", "the space is closed")
                )
            } else if reason.contains("same request") {
                ctx.t(
                    "si sovrappone a un'altra data della stessa richiesta",
                    "overlaps another date of the same request",
                )
                .to_string()
            } else if reason.contains("booking") {
                ctx.t(
                    "si sovrappone a un'altra prenotazione",
                    "overlaps another booking",
                )
                .to_string()
            } else {
                reason.to_string()
            };
            let room = c["space_id"]
                .as_str()
                .and_then(|id| Uuid::parse_str(id).ok())
                .and_then(|id| spaces.iter().find(|s| s.id == id))
                .map(|s| format!("{} — ", s.name))
                .unwrap_or_default();
            format!("{when}: {room}{reason}")
        })
        .collect()
}
