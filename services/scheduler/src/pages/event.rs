//! `/events/{id}`: what, when, where, for whom and how accessible; a form to register (the
//! same logic as `POST /api/v1/events/{id}/registrations`); and links to add it to a calendar.

use super::state::PageState;
use crate::{
    ops::places,
    ops::registrations::{self, NewRegistration, Origin, Target},
    schedule::{self, announce},
    views::EventView,
};
use axum::{extract::State, http::StatusCode, response::Response};
use chrono::{DateTime, Utc};
use minijinja::{Value, context, value::Serde};
use piazza_shared::{
    contracts::Language,
    http::{ApiError, ClientAddress, Path, PublicLimit},
    time::parse_zone,
    web::{FormData, Lang, PageCtx, challenge, messages, words},
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The name the registration form's challenge is issued for.
const FORM: &str = "register";

/// A Google-Calendar-style "add" link (also understood by other web calendars).
fn web_calendar_link(
    view: &EventView,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    page_url: &str,
) -> String {
    let stamp = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let place = view
        .place
        .as_ref()
        .map(|p| format!("{}, {}, {}", p.name, p.building, p.address))
        .or_else(|| view.location.clone())
        .unwrap_or_default();
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("action", "TEMPLATE")
        .append_pair("text", &view.title)
        .append_pair("dates", &format!("{}/{}", stamp(start), stamp(end)))
        .append_pair("details", &format!("{}\n\n{page_url}", view.description))
        .append_pair("location", &place);
    format!(
        "https://calendar.google.com/calendar/render?{}",
        query.finish()
    )
}

/// The event as the page shows it; `None` when the public may not see it.
async fn event_context(state: &PageState, ctx: &PageCtx, id: Uuid) -> Result<Value, ApiError> {
    let loaded = schedule::load(state.app.db.conn(), id).await?;
    let admin = ctx
        .viewer
        .as_ref()
        .is_some_and(|v| v.role == piazza_shared::auth::Role::Admin);
    if !announce::is_public(&loaded.event) && !admin {
        return Err(ApiError::NotFound("event"));
    }
    let seats =
        places::summary_for_event(state.app.db.conn(), &state.app.settings, &loaded).await?;
    let mut view = EventView::new(loaded.event, loaded.occurrences, loaded.space.as_ref());
    view.image = crate::ops::events::image::image_views(state.app.db.conn(), &[view.id])
        .await?
        .remove(&view.id);
    let zone = parse_zone(&view.time_zone).unwrap_or(state.app.settings.time_zone);
    let now = piazza_shared::clock::now();
    let upcoming: Vec<_> = view
        .occurrences
        .iter()
        .filter(|o| o.ends_at > now)
        .take(12)
        .map(|o| {
            context! {
                when => words::span(o.starts_at, o.ends_at, zone, ctx.lang),
                cancelled => o.status == "cancelled",
                reason => &o.cancel_reason,
            }
        })
        .collect();
    let next = view
        .occurrences
        .iter()
        .find(|o| o.ends_at > now && o.status != "cancelled");
    let page_url = format!("{}events/{}", state.app.settings.public_url(), view.id);
    let description = match ctx.lang {
        Lang::En if !view.description_en.is_empty() => view.description_en.clone(),
        _ => view.description.clone(),
    };
    // A weekly event is registered for by date: the dates still taking registrations, each
    // with its places.
    let dates: Vec<Value> = seats
        .dates
        .iter()
        .filter(|d| d.closes_at.is_some_and(|closes| closes > now))
        .take(12)
        .map(|d| {
            context! {
                id => d.occurrence_id.to_string(),
                when => words::span(d.starts_at, d.ends_at, zone, ctx.lang),
                left => d.left,
            }
        })
        .collect();
    let by_date =
        !seats.dates.is_empty() || (view.recurrence.is_some() && seats.programme_id.is_none());
    let open = if by_date {
        !dates.is_empty()
    } else {
        seats.closes_at.is_none_or(|closes| closes > now) && next.is_some()
    };
    Ok(context! {
        id => view.id.to_string(),
        title => &view.title,
        description => description,
        categories => view.categories.iter().map(|c| words::category(c.as_str(), ctx.lang)).collect::<Vec<_>>(),
        ages => match (view.age_min, view.age_max) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            (Some(a), None) => format!("{a}+"),
            (None, Some(b)) => format!("≤ {b}"),
            (None, None) => String::new(),
        },
        place => Serde(&view.place),
        image => Serde(&view.image),
        location => &view.location,
        accessibility => &view.accessibility_notes,
        organisation => &view.organisation,
        price => if view.free { String::new() } else { format!("{:.2} €", f64::from(view.price_cents) / 100.0) },
        status => view.status.as_str(),
        public => view.published_at.is_some(),
        cancel_reason => &view.cancel_reason,
        upcoming => upcoming,
        recurring => view.recurrence.is_some(),
        ics => format!("/api/v1/events/{}.ics", view.id),
        web_calendar => next.map(|o| web_calendar_link(&view, o.starts_at, o.ends_at, &page_url)),
        places_left => seats.left,
        by_date => by_date,
        waitlist => view.waitlist,
        dates => dates,
        waitlisted => seats.waitlisted,
        closes_at => seats.closes_at.map(|c| words::instant(c, zone, ctx.lang)),
        registration_open => open && view.status.as_str() == "published",
        form_challenge => Serde(challenge::issue(&state.app.keys, &state.app.settings.forms, FORM)),
    })
}

pub async fn page(State(state): State<PageState>, ctx: PageCtx, Path(id): Path<Uuid>) -> Response {
    match event_context(&state, &ctx, id).await {
        Ok(event) => ctx.render(
            &state.templates,
            "event.html",
            context! { event => event, v => BTreeMap::<String, String>::new(), errors => BTreeMap::<String, String>::new() },
        ),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

pub async fn register(
    State(state): State<PageState>,
    ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    ClientAddress(client): ClientAddress,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Response {
    // The limit is taken (or refused) here, before anything else.
    if let Err(error) = limit {
        return ctx.api_error(&state.templates, error);
    }
    if let Err(refused) = ctx.check_origin(&state.templates) {
        return refused;
    }
    let body = NewRegistration {
        email: form.get("email").to_string(),
        name: form.get("name").to_string(),
        language: Some(match ctx.lang {
            Lang::It => Language::It,
            Lang::En => Language::En,
        }),
        // No date, or something that is not one, is asked for again by the field.
        occurrence_id: form.get("occurrence_id").parse().ok(),
        // Optional; something that is not a year is said by the field below.
        birth_year: form.opt("birth_year").and_then(|y| y.parse().ok()),
    };
    let not_a_year = form
        .opt("birth_year")
        .is_some_and(|y| y.parse::<i64>().is_err());
    let mut errors = BTreeMap::new();
    let mut problem = None;
    let mut outcome = None;
    let mut status = StatusCode::OK;
    let answered = challenge::check(
        &state.app.keys,
        &state.app.settings.forms,
        FORM,
        form.get("challenge"),
        form.get("solution"),
    );
    let registered = match &answered {
        Ok(_) if not_a_year => Err(ApiError::field(
            "birth_year",
            "must be a year, such as 2008",
        )),
        Ok(answered) => {
            let origin = Origin {
                client: client.as_deref(),
                challenge: Some(answered),
            };
            registrations::register(&state.app, Target::Event(id), body, origin)
                .await
                .map_err(ApiError::from)
        }
        Err(refused) => Err(ApiError::field("challenge", refused.message(ctx.lang))),
    };
    match registered {
        Err(ApiError::Validation(list)) if list.iter().any(|e| e.field == "challenge") => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            problem = Some(
                match &answered {
                    Err(refused) => refused.message(ctx.lang),
                    Ok(_) => challenge::ChallengeError::Spent.message(ctx.lang),
                }
                .to_string(),
            );
        }
        Ok(registered) => {
            let registration = registered.registration;
            outcome = Some(serde_json::to_value(registration.status).unwrap_or_default());
        }
        Err(ApiError::Validation(list)) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            for e in list {
                let said = messages::field_error(&e.field, &e.message, ctx.lang);
                errors.insert(e.field, said);
            }
        }
        Err(ApiError::Conflict { detail, .. }) => {
            status = StatusCode::CONFLICT;
            // The refusal's own words are English: an Italian page says it in Italian.
            problem = Some(match ctx.lang {
                Lang::It => "Non è stato possibile iscriverti: l'evento è al completo o le \
                             iscrizioni sono chiuse."
                    .to_string(),
                Lang::En => detail,
            });
        }
        Err(error) => return ctx.api_error(&state.templates, error),
    }
    match event_context(&state, &ctx, id).await {
        Ok(event) => ctx.render_status(
            &state.templates,
            status,
            "event.html",
            context! { event => event, v => form.to_map(), errors => errors, problem => problem, outcome => Serde(outcome) },
        ),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}
