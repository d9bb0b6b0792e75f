//! Pathways for young people in difficulty, as pages (the same logic as `/api/v1/pathways`):
//! the list, a pathway's page with its sessions and counts (names only for its operator and the
//! referring worker, counts below 5 shown as "<5"), the referral form for social workers, the
//! completion buttons and the operator's attendance sheet per session (checkboxes).

use super::state::PageState;
use crate::ops::pathways::{
    self as ops, PathwayView,
    attendance::{self, TakenAttendance},
    referrals::{self, Completion, NewReferral},
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{Value, context};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::pathway::AgeBand,
    http::{ApiError, Path},
    small_cells::Count,
    web::{CsrfForm, PageCtx, Roles, SignedIn, messages, page::see_other, words},
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Pathway pages: social workers and other administrators, operators, evaluators (each sees
/// what the API lets them).
pub struct Staff;

impl Roles for Staff {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Operator, Role::Evaluator];
}

fn band(band: AgeBand) -> &'static str {
    match band {
        AgeBand::Under14 => "<14",
        AgeBand::From14To17 => "14–17",
        AgeBand::From18To24 => "18–24",
        AgeBand::From25To29 => "25–29",
        AgeBand::From30 => "30+",
    }
}

fn shown(count: &Count) -> String {
    count.shown.to_string()
}

fn card(state: &PageState, ctx: &PageCtx, p: &PathwayView) -> Value {
    context! {
        id => p.id.to_string(), name => &p.name, description => &p.description,
        organisation => &p.organisation_name, funding => p.funding_line.label(lang(ctx)),
        enrolled => shown(&p.enrolled), completed => shown(&p.completed),
        enrolled_suppressed => p.enrolled.suppressed,
        sessions => p.sessions.iter().map(|s| context! {
            id => s.id.to_string(),
            when => words::span(s.starts_at, s.ends_at, state.app.settings.time_zone, ctx.lang),
            space => s.space_name.clone().unwrap_or_default(),
            space_status => &s.space_status,
            cancelled => s.status == "cancelled",
            taken => s.attendance_taken,
            present => shown(&s.present),
        }).collect::<Vec<_>>(),
        participants => p.participants.as_ref().map(|list| list.iter().map(|x| context! {
            id => x.id.to_string(), name => &x.name, band => band(x.age_band),
            birth_year => x.birth_year, contact => &x.contact, note => &x.note,
            mine => x.referred_by_you, completed => x.completed_at.is_some(),
            present => x.sessions_present,
        }).collect::<Vec<_>>()),
        may_refer => p.may_refer, runs => p.runs,
    }
}

fn lang(ctx: &PageCtx) -> piazza_shared::contracts::Language {
    match ctx.lang {
        piazza_shared::web::Lang::It => piazza_shared::contracts::Language::It,
        piazza_shared::web::Lang::En => piazza_shared::contracts::Language::En,
    }
}

pub async fn list(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<Staff>,
) -> Response {
    match ops::list(&state.app, &caller).await {
        Ok(list) => {
            let cards: Vec<_> = list.iter().map(|p| card(&state, &ctx, p)).collect();
            ctx.render(
                &state.templates,
                "pathways.html",
                context! { pathways => cards },
            )
        }
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

async fn detail(
    state: &PageState,
    ctx: &PageCtx,
    caller: &Caller,
    id: Uuid,
    status: StatusCode,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    match ops::get(&state.app, caller, id).await {
        Ok(p) => ctx.render_status(
            &state.templates,
            status,
            "pathway.html",
            context! {
                p => card(state, ctx, &p), v => v, errors => errors,
                referred => ctx.param("referred") == "1",
            },
        ),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

pub async fn page(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<Staff>,
) -> Response {
    detail(
        &state,
        &ctx,
        &caller,
        id,
        StatusCode::OK,
        BTreeMap::new(),
        BTreeMap::new(),
    )
    .await
}

pub async fn refer(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<Staff>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let birth_year = form.get("birth_year").trim().parse::<i32>();
    if birth_year.is_err() {
        errors.insert(
            "birth_year".to_string(),
            ctx.t(
                "Anno di nascita: un anno, ad esempio 2010",
                "Year of birth: a year, such as 2010",
            )
            .to_string(),
        );
    }
    if let Ok(birth_year) = birth_year {
        let body = NewReferral {
            name: form.get("name").to_string(),
            birth_year,
            contact: form.opt("contact").map(str::to_string),
            note: form.get("note").to_string(),
        };
        match referrals::refer(&state.app, &caller, id, body)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return see_other(&format!("/pathways/{id}?referred=1#participants")),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    let said = messages::field_error(&e.field, &e.message, ctx.lang);
                    errors.insert(e.field, said);
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    detail(
        &state,
        &ctx,
        &caller,
        id,
        StatusCode::UNPROCESSABLE_ENTITY,
        form.to_map(),
        errors,
    )
    .await
}

pub async fn completion(
    State(state): State<PageState>,
    Path((id, referral_id)): Path<(Uuid, Uuid)>,
    SignedIn { caller, ctx, .. }: SignedIn<Staff>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = Completion {
        completed: form.get("completed") == "true",
    };
    match referrals::complete(&state.app, &caller, id, referral_id, body).await {
        Ok(_) => see_other(&format!("/pathways/{id}#participants")),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

async fn sheet_page(
    state: &PageState,
    ctx: &PageCtx,
    caller: &Caller,
    (id, session): (Uuid, Uuid),
) -> Response {
    let pathway = match ops::get(&state.app, caller, id).await {
        Ok(p) => p,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    match attendance::read(&state.app, caller, id, session).await {
        Ok(sheet) => ctx.render(
            &state.templates,
            "attendance.html",
            context! {
                pathway => context! { id => id.to_string(), name => pathway.name },
                session => session.to_string(),
                when => words::span(sheet.starts_at, sheet.ends_at, state.app.settings.time_zone, ctx.lang),
                taken => sheet.taken, runs => pathway.runs,
                enrolled => shown(&sheet.enrolled), present => shown(&sheet.present),
                participants => sheet.participants.map(|list| list.into_iter().map(|a| context! {
                    id => a.referral_id.to_string(), name => a.name, band => band(a.age_band),
                    present => a.present.unwrap_or(false),
                }).collect::<Vec<_>>()),
                saved => ctx.param("saved") == "1",
            },
        ),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

pub async fn sheet(
    State(state): State<PageState>,
    Path(ids): Path<(Uuid, Uuid)>,
    SignedIn { caller, ctx, .. }: SignedIn<Staff>,
) -> Response {
    sheet_page(&state, &ctx, &caller, ids).await
}

pub async fn take(
    State(state): State<PageState>,
    Path((id, session)): Path<(Uuid, Uuid)>,
    SignedIn { caller, ctx, .. }: SignedIn<Staff>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let present = form
        .all("present")
        .iter()
        .filter_map(|p| Uuid::parse_str(p).ok())
        .collect();
    match attendance::take(
        &state.app,
        &caller,
        id,
        session,
        TakenAttendance { present },
    )
    .await
    {
        Ok(_) => see_other(&format!("/pathways/{id}/sessions/{session}?saved=1")),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}
