//! Ideas from anyone, as pages: the public form a call that takes ideas is answered with
//! (`/calls/{id}/idea`, the same logic as `POST /api/v1/ideas`, with the public forms'
//! challenge), the page the emailed link opens (`/ideas/{id}/verify?token=`, which asks before
//! verifying so a mail scanner that follows links verifies nothing, in the author's language),
//! and the staff's queue (`/admin/ideas`), where a verified idea is accepted into a proposal of
//! its call or declined with a reason.

use super::{calls_admin::back, state::PageState};
use crate::ops::{
    calls,
    ideas::{self, IdeaAcceptance, IdeaDecline, IdeaFilter, IdeaStatus, NewIdea, Origin},
    proposals::WeeklySlot,
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{Value, context, value::Serde};
use piazza_shared::{
    contracts::{Language, pathway::AgeBand},
    http::{ApiError, ClientAddress, Path, PublicLimit},
    time::Weekday,
    web::{AdminOnly, CsrfForm, FormData, Lang, PageCtx, SignedIn, challenge, messages, words},
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The name the idea form's challenge is issued for.
const FORM: &str = "idea";

/// This module's templates, added to the service's.
pub const TEMPLATES: [(&str, &str); 3] = [
    ("idea.html", include_str!("../../templates/idea.html")),
    (
        "idea_verify.html",
        include_str!("../../templates/idea_verify.html"),
    ),
    (
        "admin_ideas.html",
        include_str!("../../templates/admin_ideas.html"),
    ),
];

/// An age band's words, from its code (the codes the API takes).
fn band_label(band: &str, lang: Lang) -> &'static str {
    AgeBand::parse(band).map_or("", |b| b.label(lang.language()))
}

/// What the form page shows; `sent` after an idea went.
struct Shown {
    status: StatusCode,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    problem: Option<String>,
    sent: bool,
}

async fn form_page(state: &PageState, ctx: &PageCtx, id: Uuid, shown: Shown) -> Response {
    let call = match calls::get(&state.app, id).await {
        Ok(call) => call,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let zone = state.app.settings.time_zone;
    let bands: Vec<Value> = AgeBand::ALL
        .iter()
        .map(|b| context! { value => b.as_str(), label => b.label(ctx.lang.language()) })
        .collect();
    ctx.render_status(
        &state.templates,
        shown.status,
        "idea.html",
        context! {
            call => context! {
                id => call.id.to_string(),
                title => call.title,
                description => call.description,
                closes => words::instant(call.closes_at, zone, ctx.lang),
                accepts_ideas => call.accepts_ideas,
                open => call.open && call.accepts_ideas,
            },
            form_challenge => Serde(challenge::issue(&state.app.keys, &state.app.settings.forms, FORM)),
            bands => bands,
            v => shown.v,
            errors => shown.errors,
            problem => shown.problem,
            sent => shown.sent,
        },
    )
}

/// `GET /calls/{id}/idea`: the call, and the form when it takes ideas now.
pub async fn form(State(state): State<PageState>, ctx: PageCtx, Path(id): Path<Uuid>) -> Response {
    let shown = Shown {
        status: StatusCode::OK,
        v: BTreeMap::new(),
        errors: BTreeMap::new(),
        problem: None,
        sent: false,
    };
    form_page(&state, &ctx, id, shown).await
}

/// `POST /calls/{id}/idea`: sends the idea; the page then says to open the emailed link.
pub async fn submit(
    State(state): State<PageState>,
    ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    ClientAddress(client): ClientAddress,
    Path(id): Path<Uuid>,
    form: FormData,
) -> Response {
    if let Err(error) = limit {
        return ctx.api_error(&state.templates, error);
    }
    if let Err(refused) = ctx.check_origin(&state.templates) {
        return refused;
    }
    let optional = |name: &str| Some(form.get(name).to_string()).filter(|s| !s.trim().is_empty());
    let body = NewIdea {
        call_id: id,
        title: form.get("title").to_string(),
        description: form.get("description").to_string(),
        name: form.get("name").to_string(),
        email: form.get("email").to_string(),
        group: optional("group"),
        age_band: optional("age_band"),
        birth_year: None,
        language: Some(match ctx.lang {
            Lang::It => Language::It,
            Lang::En => Language::En,
        }),
    };
    let mut shown = Shown {
        status: StatusCode::OK,
        v: form.to_map(),
        errors: BTreeMap::new(),
        problem: None,
        sent: false,
    };
    let answered = challenge::check(
        &state.app.keys,
        &state.app.settings.forms,
        FORM,
        form.get("challenge"),
        form.get("solution"),
    );
    let sent = match &answered {
        Ok(answered) => {
            let origin = Origin {
                client: client.as_deref(),
                challenge: Some(answered),
            };
            ideas::submit(&state.app, body, origin)
                .await
                .map_err(ApiError::from)
        }
        Err(refused) => Err(ApiError::field("challenge", refused.message(ctx.lang))),
    };
    match sent {
        Ok(_) => {
            shown.sent = true;
            shown.v = BTreeMap::new();
        }
        Err(ApiError::Validation(list)) if list.iter().any(|e| e.field == "challenge") => {
            shown.status = StatusCode::UNPROCESSABLE_ENTITY;
            shown.problem = Some(
                match &answered {
                    Err(refused) => refused.message(ctx.lang),
                    Ok(_) => challenge::ChallengeError::Spent.message(ctx.lang),
                }
                .to_string(),
            );
        }
        Err(ApiError::Validation(list)) => {
            shown.status = StatusCode::UNPROCESSABLE_ENTITY;
            for e in list {
                let said = messages::field_error(&e.field, &e.message, ctx.lang);
                shown.errors.insert(e.field, said);
            }
        }
        Err(error) => return ctx.api_error(&state.templates, error),
    }
    form_page(&state, &ctx, id, shown).await
}

/// The idea a verification link names, the page speaking its author's language; or the refusal
/// page.
#[allow(clippy::result_large_err)]
async fn open(
    state: &PageState,
    ctx: &mut PageCtx,
    id: Uuid,
) -> Result<crate::db::ideas::Model, Response> {
    let token = ctx.param("token").to_string();
    if let Err(error) = ideas::check_link(&state.app, id, &token) {
        tracing::info!(%error, "idea verification link refused");
        return Err(ctx.error(
            &state.templates,
            StatusCode::FORBIDDEN,
            ctx.t(
                "Questo link non è valido o è scaduto: usa quello dell'email che hai ricevuto, o invia di nuovo l'idea.",
                "This link is not valid or has expired: use the one in the email you received, or send the idea again.",
            ),
        ));
    }
    match ideas::find(state.app.db.conn(), id).await {
        Ok(row) => {
            ctx.prefer_lang(Lang::parse(&row.language).unwrap_or_default());
            Ok(row)
        }
        Err(error) => Err(ctx.api_error(&state.templates, error)),
    }
}

fn render_verify(
    state: &PageState,
    ctx: &PageCtx,
    row: &crate::db::ideas::Model,
    step: &str,
) -> Response {
    ctx.render(
        &state.templates,
        "idea_verify.html",
        context! { step => step, title => &row.title, action => &ctx.path },
    )
}

/// `GET /ideas/{id}/verify?token=`: asks before verifying.
pub async fn verify_form(
    State(state): State<PageState>,
    mut ctx: PageCtx,
    Path(id): Path<Uuid>,
) -> Response {
    match open(&state, &mut ctx, id).await {
        Ok(row) if row.status == IdeaStatus::Unverified.as_str() => {
            render_verify(&state, &ctx, &row, "ask")
        }
        Ok(row) => render_verify(&state, &ctx, &row, "already"),
        Err(page) => page,
    }
}

/// `POST /ideas/{id}/verify?token=`: the page's button; the idea joins the staff's queue.
pub async fn verify(
    State(state): State<PageState>,
    mut ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    Path(id): Path<Uuid>,
) -> Response {
    if let Err(error) = limit {
        return ctx.api_error(&state.templates, error);
    }
    if let Err(refused) = ctx.check_origin_saying(
        &state.templates,
        "Il modulo non viene da questo sito: apri il link dall'email che hai ricevuto.",
        "The form does not come from this site: open the link in the email you received.",
    ) {
        return refused;
    }
    if let Err(page) = open(&state, &mut ctx, id).await {
        return page;
    }
    let token = ctx.param("token").to_string();
    match ideas::verify(&state.app, id, &token).await {
        Ok((row, true)) => render_verify(&state, &ctx, &row, "done"),
        Ok((row, false)) => render_verify(&state, &ctx, &row, "already"),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

const WEEKDAYS: [(&str, &str, &str); 7] = [
    ("mon", "lunedì", "Monday"),
    ("tue", "martedì", "Tuesday"),
    ("wed", "mercoledì", "Wednesday"),
    ("thu", "giovedì", "Thursday"),
    ("fri", "venerdì", "Friday"),
    ("sat", "sabato", "Saturday"),
    ("sun", "domenica", "Sunday"),
];

/// `GET /admin/ideas?status=`: the ideas verified by their authors, waiting for a decision (or
/// those accepted or declined).
pub async fn queue(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let status = ctx.param("status").to_string();
    let filter = IdeaFilter {
        status: Some(status.clone()).filter(|s| !s.is_empty()),
        call_id: None,
    };
    let loaded = async {
        let list = ideas::list(&state.app, &caller, filter).await?;
        let all = calls::list(&state.app, calls::CallFilter { season_id: None }).await?;
        Ok::<_, crate::error::SchedulerError>((list, all))
    };
    let (list, all) = match loaded.await {
        Ok(both) => both,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let titles: HashMap<Uuid, String> = all.into_iter().map(|c| (c.id, c.title)).collect();
    let zone = state.app.settings.time_zone;
    let rows: Vec<Value> = list
        .iter()
        .map(|i| {
            context! {
                id => i.id.to_string(),
                call_id => i.call_id.to_string(),
                call => titles.get(&i.call_id).cloned().unwrap_or_default(),
                title => &i.title,
                description => &i.description,
                name => &i.name,
                email => &i.email,
                group => &i.group,
                age_band => i.age_band.as_deref().map(|b| band_label(b, ctx.lang)),
                language => i.language.as_str(),
                received => i.verified_at.map(|t| words::instant(t, zone, ctx.lang)),
                waiting => i.status == IdeaStatus::Verified,
                status => i.status.as_str(),
                reason => &i.decision_reason,
                proposal_id => i.proposal_id.map(|p| p.to_string()),
            }
        })
        .collect();
    let weekdays: Vec<Value> = WEEKDAYS
        .iter()
        .map(|(value, it, en)| context! { value => *value, label => ctx.t(it, en) })
        .collect();
    ctx.render(
        &state.templates,
        "admin_ideas.html",
        context! {
            ideas => rows,
            weekdays => weekdays,
            status => if status.is_empty() { "verified".to_string() } else { status },
            done => ctx.param("done"),
            failed => ctx.param("failed"),
        },
    )
}

/// `POST /admin/ideas/{id}/accept`: the idea becomes a proposal of its call at the slot given.
pub async fn accept(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let Some(weekday) = Weekday::parse(form.get("weekday")) else {
        let result: Result<(), crate::error::SchedulerError> =
            Err(ApiError::field("preferred_slot.weekday", "choose a day").into());
        return back(&ctx, "/admin/ideas", "accepted", result);
    };
    let body = IdeaAcceptance {
        preferred_slot: WeeklySlot {
            weekday,
            starts: form.get("starts").to_string(),
            ends: form.get("ends").to_string(),
        },
        categories: Vec::new(),
        space_id: None,
    };
    let result = ideas::accept(&state.app, &caller, id, body).await;
    back(&ctx, "/admin/ideas", "accepted", result.map(|_| ()))
}

/// `POST /admin/ideas/{id}/decline`: declined, with the reason its author reads.
pub async fn decline(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = IdeaDecline {
        reason: form.get("reason").to_string(),
    };
    let result = ideas::decline(&state.app, &caller, id, body).await;
    back(&ctx, "/admin/ideas", "declined", result.map(|_| ()))
}
