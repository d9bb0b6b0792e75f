//! `/propose`: an operator proposes an event — once or weekly, in a space or not, for a season
//! or not, or in one of its organisation's approved bookings (which then gives the space, the day
//! and the times) — through the same op as `POST /api/v1/events`, and sees their proposals'
//! states and what became of their answers to calls.

use super::state::PageState;
use crate::{
    db::{booked, calls, events, proposals, spaces},
    ops::{
        events::create::{self, NewEvent},
        seasons,
    },
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::context;
use piazza_shared::{
    contracts::Category,
    http::ApiError,
    web::{CsrfForm, OperatorOrAdmin, PageCtx, SignedIn, messages, page::see_other, words},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

async fn choices(state: &PageState, ctx: &PageCtx) -> Result<minijinja::Value, ApiError> {
    let conn = state.app.db.conn();
    let all_spaces = spaces::Entity::find()
        .order_by_asc(spaces::Column::Name)
        .all(conn)
        .await?;
    let names: BTreeMap<Uuid, String> = all_spaces
        .iter()
        .map(|s| (s.id, format!("{} — {}", s.name, s.building)))
        .collect();
    let spaces: Vec<_> = all_spaces
        .into_iter()
        .map(|s| context! { id => s.id.to_string(), label => format!("{} — {}", s.name, s.building) })
        .collect();
    let seasons = seasons::list(&state.app).await?;
    let seasons: Vec<_> = seasons
        .into_iter()
        .filter(|s| {
            serde_json::to_value(s.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .as_deref()
                != Some("archived")
        })
        .map(|s| context! { id => s.id.to_string(), label => s.name })
        .collect();
    let categories: Vec<_> = words::categories(ctx.lang)
        .into_iter()
        .map(|(value, label)| context! { value => value, label => label })
        .collect();
    // The organisation's proposals and events, newest first.
    let org = ctx.viewer.as_ref().and_then(|v| v.org);
    let mine: Vec<_> = match org {
        Some(org) => events::Entity::find()
            .filter(events::Column::OrganisationId.eq(org))
            .order_by_desc(events::Column::CreatedAt)
            .all(conn)
            .await?
            .into_iter()
            .map(|e| {
                let zone = piazza_shared::time::parse_zone(&e.time_zone)
                    .unwrap_or(state.app.settings.time_zone);
                context! {
                    title => e.title,
                    when => words::span(e.starts_at, e.ends_at, zone, ctx.lang),
                    status => &e.status,
                    status_text => words::status(&e.status, ctx.lang),
                    space_status => &e.space_status,
                    space_text => if e.space_id.is_some() { words::status(&e.space_status, ctx.lang) } else { String::new() },
                }
            })
            .collect(),
        None => Vec::new(),
    };
    // Its approved bookings to come: an event may take place in one of them.
    let zone = state.app.settings.time_zone;
    let own: Vec<_> = match org {
        Some(org) => own_bookings(state, org)
            .await?
            .into_iter()
            .map(|b| {
                let space = names.get(&b.space_id).cloned().unwrap_or_default();
                let when = words::span(b.starts_at, b.ends_at, zone, ctx.lang);
                context! { id => b.id.to_string(), label => format!("{} — {space} — {when}", b.title) }
            })
            .collect(),
        None => Vec::new(),
    };
    // Its answers to calls, newest first, with what became of each (and why, when declined).
    let answers: Vec<_> = match ctx.viewer.as_ref() {
        Some(viewer) => {
            let query = proposals::Entity::find();
            let query = match org {
                Some(org) => query.filter(proposals::Column::OrganisationId.eq(org)),
                None => query.filter(proposals::Column::SubmittedBy.eq(viewer.sub)),
            };
            let sent = query
                .order_by_desc(proposals::Column::CreatedAt)
                .all(conn)
                .await?;
            let titles: BTreeMap<Uuid, String> = calls::Entity::find()
                .filter(calls::Column::Id.is_in(sent.iter().map(|p| p.call_id)))
                .all(conn)
                .await?
                .into_iter()
                .map(|c| (c.id, c.title))
                .collect();
            sent.into_iter()
                .map(|p| {
                    context! {
                        call => titles.get(&p.call_id).cloned().unwrap_or_default(),
                        slot => super::repeat::slot(&p.weekday, &p.starts_time, &p.ends_time, ctx.lang),
                        status_text => words::planning_status(&p.status, ctx.lang),
                        title => p.title,
                        status => p.status,
                        reason => p.decision_reason,
                    }
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(context! {
        spaces => spaces, seasons => seasons, categories => categories, mine => mine, answers => answers,
        own => own,
    })
}

/// The approved bookings of `org` still to come, as the scheduler heard of them.
async fn own_bookings(state: &PageState, org: Uuid) -> Result<Vec<booked::Model>, ApiError> {
    let now = piazza_shared::clock::now();
    Ok(booked::approved_of(state.app.db.conn(), org, now).await?)
}

pub async fn form(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<OperatorOrAdmin>,
) -> Response {
    match choices(&state, &ctx).await {
        Ok(choices) => ctx.render(
            &state.templates,
            "propose.html",
            context! {
                ..choices,
                ..context! {
                    v => BTreeMap::from([("weeks".to_string(), "8".to_string())]),
                    chosen => Vec::<String>::new(),
                    errors => BTreeMap::<String, String>::new(),
                    sent => ctx.param("sent") == "1",
                }
            },
        ),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

fn form_field(api_field: &str) -> String {
    match api_field {
        "starts_at" => "start".into(),
        "ends_at" => "end".into(),
        "recurrence" => "weeks".into(),
        f if f.starts_with("categories") => "categories".into(),
        f => f.to_string(),
    }
}

pub async fn submit(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<OperatorOrAdmin>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let zone = state.app.settings.time_zone;
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let chosen = form.all("categories");
    let number = |name: &str, errors: &mut BTreeMap<String, String>| -> Option<i64> {
        let raw = form.get(name);
        if raw.is_empty() {
            return None;
        }
        raw.parse::<i64>()
            .map_err(|_| {
                errors.insert(
                    name.to_string(),
                    ctx.t("un numero intero", "a whole number").into(),
                )
            })
            .ok()
    };
    let age_min = number("age_min", &mut errors);
    let age_max = number("age_max", &mut errors);
    let capacity = number("capacity", &mut errors);
    // One of the organisation's approved bookings gives the space, the day and the times.
    let booking = match form.opt("booking_id").map(Uuid::parse_str) {
        None => None,
        Some(id) => {
            let org = ctx.viewer.as_ref().and_then(|v| v.org);
            let own = match org {
                Some(org) => match own_bookings(&state, org).await {
                    Ok(own) => own,
                    Err(error) => return ctx.api_error(&state.templates, error),
                },
                None => Vec::new(),
            };
            let found = id.ok().and_then(|id| own.into_iter().find(|b| b.id == id));
            if found.is_none() {
                errors.insert(
                    "booking_id".into(),
                    ctx.t(
                        "scegli una delle vostre prenotazioni approvate",
                        "choose one of your approved bookings",
                    )
                    .into(),
                );
            }
            found
        }
    };
    let (starts_at, ends_at) = match &booking {
        Some(b) => (b.starts_at.to_rfc3339(), b.ends_at.to_rfc3339()),
        None => (
            words::local_instant(form.get("date"), form.get("start"), zone)
                .map_err(|e| errors.insert("start".into(), e))
                .unwrap_or_default(),
            words::local_instant(form.get("date"), form.get("end"), zone)
                .map_err(|e| errors.insert("end".into(), e))
                .unwrap_or_default(),
        ),
    };
    let recurrence = if form.get("weekly").is_empty() || booking.is_some() {
        None
    } else {
        match form.get("weeks").parse::<u32>() {
            Ok(weeks @ 2..=100) => Some(format!("FREQ=WEEKLY;COUNT={weeks}")),
            _ => {
                errors.insert(
                    "weeks".into(),
                    ctx.t("da 2 a 100 settimane", "2 to 100 weeks").into(),
                );
                None
            }
        }
    };
    if errors.is_empty() {
        let body = NewEvent {
            season_id: form.opt("season_id").and_then(|s| Uuid::parse_str(s).ok()),
            programme_id: None,
            title: form.get("title").to_string(),
            description: form.get("description").to_string(),
            description_en: String::new(),
            categories: chosen
                .iter()
                .filter_map(|c| Category::ALL.into_iter().find(|k| k.as_str() == c))
                .collect(),
            age_min,
            age_max,
            starts_at,
            ends_at,
            time_zone: Some(zone.name().to_string()),
            space_id: match &booking {
                Some(b) => Some(b.space_id),
                None => form.opt("space_id").and_then(|s| Uuid::parse_str(s).ok()),
            },
            recurrence,
            exdates: Vec::new(),
            capacity,
            waitlist: None,
            registration_closes_minutes: None,
            accessibility_notes: form.get("accessibility_notes").to_string(),
            price_cents: 0,
            organiser: None,
            funding_line: None,
        };
        match create::create(&state.app, &caller, body)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return see_other("/propose?sent=1"),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    let said = messages::field_error(&e.field, &e.message, ctx.lang);
                    errors.insert(form_field(&e.field), said);
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    match choices(&state, &ctx).await {
        Ok(choices) => ctx.render_status(
            &state.templates,
            StatusCode::UNPROCESSABLE_ENTITY,
            "propose.html",
            context! {
                ..choices,
                ..context! { v => form.to_map(), chosen => chosen, errors => errors, sent => false }
            },
        ),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}
