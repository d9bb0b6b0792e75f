//! The pages the links in emails open: confirm a subscription, see and change one's preferences,
//! unsubscribe; each page context → `ops::links` / `ops::preferences` → template. Each is
//! authorised by the signed token in its address. A `GET` only shows a
//! page; what changes anything is the page's button, a `POST` — so a mail scanner that follows
//! the links confirms and ends nothing. The `POST` of `/subscriptions/unsubscribe` is also
//! RFC 8058's one-click unsubscribe, which mail providers send from their servers.
//!
//! The forms take a POST whose origin the browser withholds (`Origin: null`, as Chromium sends
//! under our `Referrer-Policy: no-referrer`): the token, not the browser, authorises them (see
//! `piazza_shared::http::origin`). Every answer, refusals included, is a page in the person's
//! language: the one they chose for their emails, unless they pick another here.

use super::state::PageState;
use crate::{
    db::subscribers,
    domain::{Frequency, SubscriberStatus},
    error::NotifierError,
    links::{CONFIRM, MANAGE, UNSUBSCRIBE},
    ops::{
        links::{self, LinkHolder},
        preferences::{self, PreferencesChange},
    },
};
use axum::{body::Bytes, extract::State, http::StatusCode, response::Response};
use minijinja::context;
use piazza_shared::{
    contracts::{Category, Language},
    http::{ApiError, ClientAddress, PublicLimit},
    web::{FormData, Lang, PageCtx, messages, words},
};
use std::collections::BTreeMap;

fn lang_of(subscriber: &subscribers::Model) -> Lang {
    Lang::parse(&subscriber.language).unwrap_or_default()
}

/// The holder of the page's link, speaking their language; or the refusal page.
// The error is the page to answer with, handed straight back by the handler.
#[allow(clippy::result_large_err)]
async fn open(state: &PageState, ctx: &mut PageCtx, purpose: &str) -> Result<LinkHolder, Response> {
    let token = ctx.param("token").to_string();
    match links::open(&state.app, purpose, &token).await {
        Ok(holder) => {
            ctx.prefer_lang(lang_of(holder.subscriber()));
            Ok(holder)
        }
        Err(error) => Err(refused(state, ctx, purpose, error)),
    }
}

/// The page for a refusal: each of the notifier's own in the person's words.
fn refused(state: &PageState, ctx: &PageCtx, purpose: &str, error: NotifierError) -> Response {
    match error {
        NotifierError::LinkInvalid(reason) => {
            tracing::info!(%reason, purpose, "email link refused");
            ctx.error(
                &state.templates,
                StatusCode::BAD_REQUEST,
                ctx.t(
                    "Questo link non è valido o è scaduto. Usa il link dell'email più recente, o iscriviti di nuovo.",
                    "This link is not valid or has expired. Use the link in the latest email, or subscribe again.",
                ),
            )
        }
        NotifierError::SubscriberGone => ctx.error(
            &state.templates,
            StatusCode::NOT_FOUND,
            ctx.t(
                "Non troviamo questa iscrizione: forse è stata cancellata.",
                "We cannot find this subscription: it may have been erased.",
            ),
        ),
        NotifierError::SubscriptionEnded => ended(state, ctx),
        NotifierError::Api(error) => ctx.api_error(&state.templates, error),
    }
}

/// Refuses a POST over the rate limit, or one the browser shows came from another site.
#[allow(clippy::result_large_err)]
fn admit(
    state: &PageState,
    ctx: &PageCtx,
    limit: Result<PublicLimit, ApiError>,
) -> Result<(), Response> {
    if let Err(error) = limit {
        return Err(ctx.api_error(&state.templates, error));
    }
    if ctx.source().is_other_site() {
        return Err(ctx.error(
            &state.templates,
            StatusCode::FORBIDDEN,
            ctx.t(
                "Il modulo non viene da questo sito: apri il link dall'email che ti abbiamo mandato.",
                "The form does not come from this site: open the link in the email we sent you.",
            ),
        ));
    }
    Ok(())
}

/// A form's POST: admitted (see [`admit`]), then its link opened.
#[allow(clippy::result_large_err)]
async fn open_form(
    state: &PageState,
    ctx: &mut PageCtx,
    limit: Result<PublicLimit, ApiError>,
    purpose: &str,
) -> Result<LinkHolder, Response> {
    admit(state, ctx, limit)?;
    open(state, ctx, purpose).await
}

/// A subscription ended: nothing to confirm or change any more.
fn ended(state: &PageState, ctx: &PageCtx) -> Response {
    ctx.error(
        &state.templates,
        StatusCode::CONFLICT,
        ctx.t(
            "Questa iscrizione è stata cancellata. Per ricevere di nuovo le email, iscriviti di nuovo.",
            "This subscription was cancelled. To receive the emails again, subscribe again.",
        ),
    )
}

/// `GET /subscriptions/confirm`: asks for the click that confirms.
pub async fn confirm_form(State(state): State<PageState>, mut ctx: PageCtx) -> Response {
    let holder = match open(&state, &mut ctx, CONFIRM).await {
        Ok(holder) => holder,
        Err(page) => return page,
    };
    let step = match holder.subscriber().status() {
        SubscriberStatus::Unsubscribed => return ended(&state, &ctx),
        SubscriberStatus::Pending => "ask",
        SubscriberStatus::Active => "done",
    };
    render_confirm(&state, &ctx, holder.subscriber(), step)
}

/// `POST /subscriptions/confirm`: the page's button.
pub async fn confirm(
    State(state): State<PageState>,
    mut ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    ClientAddress(source): ClientAddress,
) -> Response {
    let holder = match open_form(&state, &mut ctx, limit, CONFIRM).await {
        Ok(holder) => holder,
        Err(page) => return page,
    };
    if let Err(error) = links::confirm(&state.app, &holder, source).await {
        return refused(&state, &ctx, CONFIRM, error);
    }
    render_confirm(&state, &ctx, holder.subscriber(), "done")
}

fn render_confirm(
    state: &PageState,
    ctx: &PageCtx,
    subscriber: &subscribers::Model,
    step: &str,
) -> Response {
    ctx.render(
        &state.templates,
        "confirm.html",
        context! {
            step => step,
            email => &subscriber.email,
            guardian => subscriber.guardian_email.is_some(),
            action => &ctx.path,
            manage => state.app.links.manage(subscriber.id, &subscriber.email),
        },
    )
}

/// `GET /subscriptions/manage`: the preferences, from the link at the foot of every email.
pub async fn manage(State(state): State<PageState>, mut ctx: PageCtx) -> Response {
    match open(&state, &mut ctx, MANAGE).await {
        Ok(holder) => render_preferences(
            &state,
            &ctx,
            StatusCode::OK,
            holder.subscriber(),
            false,
            BTreeMap::new(),
        ),
        Err(page) => page,
    }
}

/// `POST /subscriptions/manage`: the form (`interests` repeated, `frequency`, `language`) saves
/// the preferences through the same checks as `PATCH /api/v1/subscribers`.
pub async fn save(
    State(state): State<PageState>,
    mut ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    ClientAddress(source): ClientAddress,
    body: Bytes,
) -> Response {
    let holder = match open_form(&state, &mut ctx, limit, MANAGE).await {
        Ok(holder) => holder,
        Err(page) => return page,
    };
    let subscriber = holder.subscriber().clone();
    let result = match read_form(&FormData::parse(&body)) {
        Ok(wanted) => preferences::change(&state.app, holder, wanted, source).await,
        Err(error) => Err(error.into()),
    };
    match result {
        Ok(updated) => {
            // The page now speaks the language just chosen.
            ctx.prefer_lang(lang_of(&updated));
            render_preferences(
                &state,
                &ctx,
                StatusCode::OK,
                &updated,
                true,
                BTreeMap::new(),
            )
        }
        Err(NotifierError::Api(ApiError::Validation(list))) => {
            let errors = list
                .into_iter()
                .map(|e| {
                    let said = messages::field_error(&e.field, &e.message, ctx.lang);
                    (e.field, said)
                })
                .collect();
            render_preferences(
                &state,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &subscriber,
                false,
                errors,
            )
        }
        Err(error) => refused(&state, &ctx, MANAGE, error),
    }
}

/// Reads the preferences form; an unknown value is an error on its field.
fn read_form(form: &FormData) -> Result<PreferencesChange, ApiError> {
    let mut v = piazza_shared::http::Violations::new();
    let mut change = PreferencesChange::default();
    let mut interests = Vec::new();
    for value in form.all("interests") {
        match Category::parse(&value) {
            Some(c) => interests.push(c),
            None => v.add("interests", format!("unknown category `{value}`")),
        }
    }
    match form.get("frequency") {
        "" => {}
        other => match Frequency::parse(other) {
            Some(f) => change.frequency = Some(f),
            None => v.add("frequency", format!("unknown frequency `{other}`")),
        },
    }
    match form.get("language") {
        "" => {}
        other => match Language::parse(other) {
            Some(l) => change.language = Some(l),
            None => v.add("language", format!("unknown language `{other}`")),
        },
    }
    v.finish()?;
    // A form sends no key for unticked boxes: all unticked means none chosen.
    change.interests = Some(interests);
    Ok(change)
}

fn render_preferences(
    state: &PageState,
    ctx: &PageCtx,
    status: StatusCode,
    subscriber: &subscribers::Model,
    saved: bool,
    errors: BTreeMap<String, String>,
) -> Response {
    let current = preferences::view(subscriber);
    let chosen: Vec<&str> = current.interests.iter().map(|c| c.as_str()).collect();
    let categories: Vec<minijinja::Value> = words::categories(ctx.lang)
        .into_iter()
        .map(|(value, label)| context! { value => value, label => label })
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "preferences.html",
        context! {
            email => &subscriber.email,
            ended => subscriber.status() == SubscriberStatus::Unsubscribed,
            saved => saved,
            errors => errors,
            categories => categories,
            chosen => chosen,
            frequency => current.frequency.as_str(),
            language => current.language.as_str(),
            action => &ctx.path,
            unsubscribe => state.app.links.unsubscribe(subscriber.id, &subscriber.email),
        },
    )
}

/// `GET /subscriptions/unsubscribe`: a button, since a GET must not unsubscribe.
pub async fn unsubscribe_form(State(state): State<PageState>, mut ctx: PageCtx) -> Response {
    match open(&state, &mut ctx, UNSUBSCRIBE).await {
        Ok(holder) => {
            let done = holder.subscriber().status() == SubscriberStatus::Unsubscribed;
            render_unsubscribe(&state, &ctx, holder.subscriber(), done)
        }
        Err(page) => page,
    }
}

/// `POST /subscriptions/unsubscribe`: the page's button, or RFC 8058 one-click
/// (`List-Unsubscribe=One-Click`) from a mail provider. Emails still waiting are dropped.
pub async fn unsubscribe(
    State(state): State<PageState>,
    mut ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    ClientAddress(source): ClientAddress,
) -> Response {
    let holder = match open_form(&state, &mut ctx, limit, UNSUBSCRIBE).await {
        Ok(holder) => holder,
        Err(page) => return page,
    };
    if let Err(error) = links::unsubscribe(&state.app, &holder, source).await {
        return refused(&state, &ctx, UNSUBSCRIBE, error);
    }
    render_unsubscribe(&state, &ctx, holder.subscriber(), true)
}

fn render_unsubscribe(
    state: &PageState,
    ctx: &PageCtx,
    subscriber: &subscribers::Model,
    done: bool,
) -> Response {
    ctx.render(
        &state.templates,
        "unsubscribe.html",
        context! {
            done => done,
            email => &subscriber.email,
            action => &ctx.path,
        },
    )
}
