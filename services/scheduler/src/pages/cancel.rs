//! `/registrations/{id}/cancel?token=`: the page a registration's cancel link opens ("free my
//! place"). It asks before cancelling — its button POSTs to the same address — so a mail scanner
//! that follows links cancels nothing. The signed token in the address authorises it, not a
//! cookie: the button works when the browser withholds the form's origin (`Origin: null`), and
//! only a form shown to come from another site is refused (see `piazza_shared::http::origin`).
//! Every answer is a page in the person's language, naming what the registration is for and,
//! for an event, its date and hours, so the person knows which place they are freeing.

use super::state::PageState;
use crate::{
    db::{events, occurrences, programmes, registrations},
    domain::RegistrationStatus,
    ops::registrations::{cancel_registration, canceller},
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::context;
use piazza_shared::{
    http::{ApiError, Path, PublicLimit},
    time::parse_zone,
    web::{Lang, PageCtx, words},
};
use sea_orm::{DbErr, EntityTrait};
use uuid::Uuid;

/// The registration the link names, with the page speaking its language; or the refusal page.
#[allow(clippy::result_large_err)]
async fn open(
    state: &PageState,
    ctx: &mut PageCtx,
    id: Uuid,
) -> Result<(registrations::Model, &'static str), Response> {
    let token = ctx.param("token").to_string();
    let by = match canceller(&state.app, None, id, Some(&token)) {
        Ok(by) => by,
        Err(error) => {
            tracing::info!(%error, "registration cancel link refused");
            return Err(ctx.error(
                &state.templates,
                StatusCode::FORBIDDEN,
                ctx.t(
                    "Questo link non è valido o è scaduto: usa quello dell'email della tua iscrizione.",
                    "This link is not valid or has expired: use the one in your registration email.",
                ),
            ));
        }
    };
    match registrations::Entity::find_by_id(id)
        .one(state.app.db.conn())
        .await
    {
        Ok(Some(row)) => {
            ctx.prefer_lang(Lang::parse(&row.language).unwrap_or_default());
            Ok((row, by))
        }
        Ok(None) => Err(ctx.api_error(&state.templates, ApiError::NotFound("registration"))),
        Err(error) => Err(ctx.api_error(&state.templates, error.into())),
    }
}

/// What the registration is for (the event's title or the programme's name) and, for an event,
/// when: the registered date, else the event's first one, in words in the event's zone.
async fn what_and_when(
    state: &PageState,
    lang: Lang,
    row: &registrations::Model,
) -> Result<(Option<String>, Option<String>), DbErr> {
    let db = state.app.db.conn();
    if let Some(programme) = row.programme_id {
        let name = programmes::Entity::find_by_id(programme)
            .one(db)
            .await?
            .map(|p| p.name);
        return Ok((name, None));
    }
    let Some(event) = row.event_id else {
        return Ok((None, None));
    };
    let Some(event) = events::Entity::find_by_id(event).one(db).await? else {
        return Ok((None, None));
    };
    let occurrence = match row.occurrence_id {
        Some(id) => occurrences::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let (starts_at, ends_at) = occurrence
        .map(|o| (o.starts_at, o.ends_at))
        .unwrap_or((event.starts_at, event.ends_at));
    let zone = parse_zone(&event.time_zone).unwrap_or(state.app.settings.time_zone);
    Ok((
        Some(event.title),
        Some(words::span(starts_at, ends_at, zone, lang)),
    ))
}

async fn render(
    state: &PageState,
    ctx: &PageCtx,
    row: &registrations::Model,
    step: &str,
) -> Response {
    let (what, when) = match what_and_when(state, ctx.lang, row).await {
        Ok(found) => found,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    ctx.render(
        &state.templates,
        "cancel.html",
        context! {
            step => step,
            name => &row.name,
            email => &row.email,
            what => what,
            when => when,
            action => &ctx.path,
        },
    )
}

/// `GET`: asks before cancelling.
pub async fn form(
    State(state): State<PageState>,
    mut ctx: PageCtx,
    Path(id): Path<Uuid>,
) -> Response {
    match open(&state, &mut ctx, id).await {
        Ok((row, _)) if row.status == RegistrationStatus::Cancelled.as_str() => {
            render(&state, &ctx, &row, "already").await
        }
        Ok((row, _)) => render(&state, &ctx, &row, "ask").await,
        Err(page) => page,
    }
}

/// `POST`: the page's button; cancels (the first in the waitlist takes the place) and says so.
pub async fn cancel(
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
        "Il modulo non viene da questo sito: apri il link dall'email della tua iscrizione.",
        "The form does not come from this site: open the link in your registration email.",
    ) {
        return refused;
    }
    let by = match open(&state, &mut ctx, id).await {
        Ok((_, by)) => by,
        Err(page) => return page,
    };
    match cancel_registration(&state.app, id, by).await {
        Ok((row, true)) => render(&state, &ctx, &row, "done").await,
        Ok((row, false)) => render(&state, &ctx, &row, "already").await,
        Err(error) => ctx.api_error(&state.templates, error),
    }
}
