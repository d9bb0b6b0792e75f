//! `/calls`: the open calls for ideas of each season, and the form an operator answers one with
//! (the same logic as `POST /api/v1/calls/{id}/proposals`): a weekly slot, sessions, a space.

use super::state::PageState;
use crate::{
    db::spaces,
    ops::{
        calls::{self, CallFilter},
        proposals::{self, NewProposal, WeeklySlot},
    },
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::context;
use piazza_shared::{
    contracts::Category,
    http::{ApiError, Path},
    time::parse_zone,
    web::{CsrfForm, OperatorOrAdmin, PageCtx, SignedIn, messages, page::see_other, words},
};
use sea_orm::{EntityTrait, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

const WEEKDAYS: [(&str, &str, &str); 7] = [
    ("mon", "lunedì", "Monday"),
    ("tue", "martedì", "Tuesday"),
    ("wed", "mercoledì", "Wednesday"),
    ("thu", "giovedì", "Thursday"),
    ("fri", "venerdì", "Friday"),
    ("sat", "sabato", "Saturday"),
    ("sun", "domenica", "Sunday"),
];

pub async fn list(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<OperatorOrAdmin>,
) -> Response {
    let zone = state.app.settings.time_zone;
    match calls::list(&state.app, CallFilter { season_id: None }).await {
        Ok(list) => {
            let open: Vec<_> = list
                .into_iter()
                .filter(|c| c.open)
                .map(|c| {
                    context! {
                        id => c.id.to_string(),
                        title => c.title,
                        description => c.description,
                        closes => words::instant(c.closes_at, zone, ctx.lang),
                    }
                })
                .collect();
            ctx.render(
                &state.templates,
                "calls.html",
                context! { calls => open, sent => ctx.param("sent") == "1" },
            )
        }
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

async fn form_page(
    state: &PageState,
    ctx: &PageCtx,
    id: Uuid,
    status: StatusCode,
    v: BTreeMap<String, String>,
    chosen: Vec<String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let call = match calls::get(&state.app, id).await {
        Ok(call) => call,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let spaces: Vec<_> = match spaces::Entity::find()
        .order_by_asc(spaces::Column::Name)
        .all(state.app.db.conn())
        .await
    {
        Ok(rows) => rows
            .into_iter()
            .map(|s| context! { id => s.id.to_string(), label => format!("{} — {}", s.name, s.building) })
            .collect(),
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let zone = parse_zone("Europe/Rome").unwrap_or(state.app.settings.time_zone);
    ctx.render_status(
        &state.templates,
        status,
        "call.html",
        context! {
            call => context! {
                id => call.id.to_string(), title => call.title, description => call.description,
                open => call.open, closes => words::instant(call.closes_at, zone, ctx.lang),
                accepts_ideas => call.accepts_ideas,
            },
            spaces => spaces,
            weekdays => WEEKDAYS.iter().map(|(k, it, en)| context! { value => *k, label => ctx.lang.pick(it, en) }).collect::<Vec<_>>(),
            categories => words::categories(ctx.lang).into_iter().map(|(value, label)| context! { value => value, label => label }).collect::<Vec<_>>(),
            v => v, chosen => chosen, errors => errors,
        },
    )
}

pub async fn form(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { ctx, .. }: SignedIn<OperatorOrAdmin>,
) -> Response {
    let v = BTreeMap::from([("sessions".to_string(), "8".to_string())]);
    form_page(
        &state,
        &ctx,
        id,
        StatusCode::OK,
        v,
        Vec::new(),
        BTreeMap::new(),
    )
    .await
}

pub async fn submit(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<OperatorOrAdmin>,
    CsrfForm(form): CsrfForm,
) -> Response {
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
                    ctx.t("un numero intero", "a whole number").into(),
                )
            })
            .ok()
    };
    let (age_min, age_max) = (
        number("age_min", &mut errors),
        number("age_max", &mut errors),
    );
    let (capacity, sessions) = (
        number("capacity", &mut errors),
        number("sessions", &mut errors),
    );
    let weekday = crate::domain::Weekday::parse(form.get("weekday"));
    if weekday.is_none() {
        errors.insert(
            "weekday".into(),
            ctx.t("scegli un giorno", "choose a day").into(),
        );
    }
    let chosen = form.all("categories");
    if let (true, Some(weekday)) = (errors.is_empty(), weekday) {
        let body = NewProposal {
            title: form.get("title").to_string(),
            description: form.get("description").to_string(),
            categories: chosen
                .iter()
                .filter_map(|c| Category::ALL.into_iter().find(|k| k.as_str() == c))
                .collect(),
            age_min,
            age_max,
            capacity,
            preferred_slot: WeeklySlot {
                weekday,
                starts: form.get("starts").to_string(),
                ends: form.get("ends").to_string(),
            },
            sessions,
            space_id: form.opt("space_id").and_then(|s| Uuid::parse_str(s).ok()),
        };
        let submitted = proposals::submit(&state.app, &caller, id, body).await;
        match submitted.map_err(ApiError::from) {
            Ok(_) => return see_other("/calls?sent=1"),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    let field = match e.field.as_str() {
                        "preferred_slot.starts" => "starts".to_string(),
                        "preferred_slot.ends" => "ends".to_string(),
                        f if f.starts_with("categories") => "categories".to_string(),
                        f => f.to_string(),
                    };
                    let said = messages::field_error(&e.field, &e.message, ctx.lang);
                    errors.insert(field, said);
                }
            }
            Err(ApiError::Conflict { detail, .. }) => {
                let said = match ctx.lang {
                    piazza_shared::web::Lang::It => {
                        "Il bando non accetta proposte in questo momento.".to_string()
                    }
                    piazza_shared::web::Lang::En => detail,
                };
                errors.insert("call".into(), said);
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    form_page(
        &state,
        &ctx,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        form.to_map(),
        chosen,
        errors,
    )
    .await
}
