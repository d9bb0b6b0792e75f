//! An administrator's calls for ideas: every call with the form that opens one and the button
//! that closes one early, and each call's proposals — accepted into the call's season (a draft
//! weekly event at the slot asked for, from the first day chosen, in the space chosen) or
//! declined with a reason. The same ops as `/api/v1/calls` and `/api/v1/proposals/{id}/…`.

use super::{
    say::{self, Refused},
    state::PageState,
};
use crate::ops::{
    calls::{self, CallFilter, NewCall},
    proposals::{self, Acceptance, Decline},
    seasons, spaces,
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{Value, context};
use piazza_shared::{
    auth::Caller,
    contracts::Category,
    http::{ApiError, Path},
    web::{AdminOnly, CsrfForm, PageCtx, SignedIn, page::see_other, words},
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

async fn list_page(
    state: &PageState,
    ctx: &PageCtx,
    status: StatusCode,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let zone = state.app.settings.time_zone;
    let loaded = async {
        let seasons = seasons::list(&state.app).await?;
        let calls = calls::list(&state.app, CallFilter { season_id: None }).await?;
        Ok::<_, crate::error::SchedulerError>((seasons, calls))
    };
    let (season_list, call_list) = match loaded.await {
        Ok(both) => both,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let names: HashMap<Uuid, String> = season_list.iter().map(|s| (s.id, s.name.clone())).collect();
    let now = piazza_shared::clock::now();
    let rows: Vec<Value> = call_list
        .iter()
        .map(|c| {
            context! {
                id => c.id.to_string(),
                title => &c.title,
                season => names.get(&c.season_id).cloned().unwrap_or_default(),
                open => c.open,
                closed => c.closes_at <= now,
                opens => words::instant(c.opens_at, zone, ctx.lang),
                closes => words::instant(c.closes_at, zone, ctx.lang),
                fields => c.fields.iter().map(|f| words::category(f.as_str(), ctx.lang)).collect::<Vec<_>>().join(", "),
            }
        })
        .collect();
    let choices: Vec<Value> = season_list
        .iter()
        .filter(|s| s.status.as_str() != "archived")
        .map(|s| context! { id => s.id.to_string(), label => &s.name })
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "admin_calls.html",
        context! {
            categories => words::categories(ctx.lang)
                .into_iter()
                .map(|(value, label)| context! { value => value, label => label })
                .collect::<Vec<_>>(),
            chosen => v.get("fields").map(|f| f.split(',').map(str::to_string).collect::<Vec<_>>()).unwrap_or_default(),
            calls => rows, seasons => choices, v => v, errors => errors,
            done => ctx.param("done"), failed => ctx.param("failed"),
        },
    )
}

/// `GET /admin/calls`.
pub async fn list(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let today = piazza_shared::clock::now()
        .with_timezone(&state.app.settings.time_zone)
        .date_naive();
    let v = BTreeMap::from([("opens_at".to_string(), today.to_string())]);
    list_page(&state, &ctx, StatusCode::OK, v, BTreeMap::new()).await
}

/// `POST /admin/calls`: opens a call (operators in its field are told).
pub async fn open(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let Some(season_id) = form.opt("season_id").and_then(|s| Uuid::parse_str(s).ok()) else {
        let errors = BTreeMap::from([(
            "season_id".to_string(),
            format!(
                "{}: {}",
                ctx.t("Stagione", "Season"),
                ctx.t("scegli una stagione", "choose a season")
            ),
        )]);
        return list_page(
            &state,
            &ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            form.to_map(),
            errors,
        )
        .await;
    };
    let body = NewCall {
        season_id,
        title: form.get("title").to_string(),
        description: form.get("description").to_string(),
        opens_at: form.get("opens_at").to_string(),
        closes_at: form.get("closes_at").to_string(),
        fields: form
            .all("fields")
            .iter()
            .filter_map(|code| Category::parse(code))
            .collect(),
        accepts_ideas: form.get("accepts_ideas") == "1",
    };
    let mut typed = form.to_map();
    typed.insert("fields".into(), form.all("fields").join(","));
    match calls::create(&state.app, &caller, body).await {
        Ok(call) => see_other(&format!("/admin/calls/{}?done=opened", call.id)),
        Err(error) => match say::refused(error, ctx.lang, str::to_string) {
            Refused::Fields(errors) => {
                list_page(
                    &state,
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    typed,
                    errors,
                )
                .await
            }
            Refused::Other(error) => ctx.api_error(&state.templates, error),
        },
    }
}

/// Back to `to` with the outcome: `done`, or the refusal in words.
pub(super) fn back(
    ctx: &PageCtx,
    to: &str,
    done: &str,
    result: Result<(), crate::error::SchedulerError>,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("{to}?done={done}")),
        Err(error) => match say::refused(error, ctx.lang, str::to_string) {
            Refused::Fields(errors) => {
                let mut query = form_urlencoded::Serializer::new(String::new());
                query.append_pair(
                    "failed",
                    &errors.into_values().collect::<Vec<_>>().join(" "),
                );
                see_other(&format!("{to}?{}", query.finish()))
            }
            Refused::Other(ApiError::NotFound(_)) => see_other(&format!(
                "{to}?failed={}",
                ctx.t("non+trovato", "not+found")
            )),
            Refused::Other(other) => {
                let mut query = form_urlencoded::Serializer::new(String::new());
                query.append_pair("failed", &other.to_string());
                see_other(&format!("{to}?{}", query.finish()))
            }
        },
    }
}

/// `POST /admin/calls/{id}/close`: closes the call now.
pub async fn close(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    let result = calls::close(&state.app, &caller, id).await;
    back(&ctx, "/admin/calls", "closed", result.map(|_| ()))
}

/// `GET /admin/calls/{id}`: the call and its proposals.
pub async fn proposals_page(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    match call_context(&state, &ctx, &caller, id).await {
        Ok(page) => ctx.render(&state.templates, "admin_call.html", page),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

async fn call_context(
    state: &PageState,
    ctx: &PageCtx,
    caller: &Caller,
    id: Uuid,
) -> Result<Value, crate::error::SchedulerError> {
    let zone = state.app.settings.time_zone;
    let call = calls::get(&state.app, id).await?;
    let season = seasons::get(&state.app, Some(caller), call.season_id).await?;
    let list = proposals::list(&state.app, caller, id).await?;
    let places = spaces::list(&state.app).await?;
    let space_names: HashMap<Uuid, String> = places
        .iter()
        .map(|s| (s.id, format!("{} — {}", s.name, s.building)))
        .collect();
    let today = piazza_shared::clock::now()
        .with_timezone(&zone)
        .date_naive();
    let first_day = season.starts_on.max(today);
    let rows: Vec<Value> = list
        .iter()
        .map(|p| {
            let status = p.status.as_str();
            context! {
                id => p.id.to_string(),
                title => &p.title,
                description => &p.description,
                organisation => &p.organisation,
                contact => &p.contact_email,
                categories => p.categories.iter().map(|c| words::category(c.as_str(), ctx.lang)).collect::<Vec<_>>(),
                slot => super::repeat::slot(p.preferred_slot.weekday.as_str(), &p.preferred_slot.starts, &p.preferred_slot.ends, ctx.lang),
                sessions => p.sessions.map(|n| words::count(u64::from(n), ("incontro", "incontri"), ("session", "sessions"), ctx.lang)),
                space => p.space_id.map(|s| s.to_string()),
                space_name => p.space_id.and_then(|s| space_names.get(&s).cloned()),
                status => status,
                status_text => words::planning_status(status, ctx.lang),
                submitted => status == "submitted",
                reason => &p.decision_reason,
                events => p.event_ids.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                from_idea => p.idea_id.is_some(),
            }
        })
        .collect();
    Ok(context! {
        call => context! {
            id => call.id.to_string(), title => call.title, description => call.description,
            open => call.open,
            accepts_ideas => call.accepts_ideas,
            opens => words::instant(call.opens_at, zone, ctx.lang),
            closes => words::instant(call.closes_at, zone, ctx.lang),
        },
        season => context! { id => season.id.to_string(), name => season.name },
        first_day => first_day.to_string(),
        proposals => rows,
        spaces => places.iter().map(|s| context! { id => s.id.to_string(), label => format!("{} — {}", s.name, s.building) }).collect::<Vec<_>>(),
        done => ctx.param("done"),
        failed => ctx.param("failed"),
    })
}

/// `POST /admin/proposals/{id}/accept`: a draft weekly event in the call's season.
pub async fn accept(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let to = match proposals::get(&state.app, &caller, id).await {
        Ok(p) => format!("/admin/calls/{}", p.call_id),
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let body = Acceptance {
        starts_on: form.opt("starts_on").map(str::to_string),
        space_id: form.opt("space_id").and_then(|s| Uuid::parse_str(s).ok()),
    };
    let result = proposals::accept(&state.app, &caller, id, body).await;
    back(&ctx, &to, "accepted", result.map(|_| ()))
}

/// `POST /admin/proposals/{id}/decline`: declined, with the reason the operator reads.
pub async fn decline(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let to = match proposals::get(&state.app, &caller, id).await {
        Ok(p) => format!("/admin/calls/{}", p.call_id),
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let body = Decline {
        reason: form.get("reason").to_string(),
    };
    let result = proposals::decline(&state.app, &caller, id, body).await;
    back(&ctx, &to, "declined", result.map(|_| ()))
}
