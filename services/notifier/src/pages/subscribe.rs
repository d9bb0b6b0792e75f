//! `/subscribe`: interests, birth year, language and frequency; under 14 a guardian's address.
//! The same use case as `POST /api/v1/subscribers` (`ops::subscribers::subscribe`): a
//! confirmation email is on its way (double opt-in).

use super::state::PageState;
use crate::{
    domain::Frequency,
    error::NotifierError,
    ops::subscribers::{self, NewSubscriber},
};
use axum::{extract::State, http::StatusCode, response::Response};
use chrono::Datelike;
use minijinja::{context, value::Serde};
use piazza_shared::{
    contracts::{Category, Language},
    http::{ApiError, ClientAddress, PublicLimit},
    web::{FormData, Lang, PageCtx, challenge, messages, words},
};
use std::collections::BTreeMap;

/// The name the form's challenge is issued for.
const FORM: &str = "subscribe";

fn categories(ctx: &PageCtx) -> Vec<minijinja::Value> {
    words::categories(ctx.lang)
        .into_iter()
        .map(|(value, label)| context! { value => value, label => label })
        .collect()
}

pub async fn form(State(state): State<PageState>, ctx: PageCtx) -> Response {
    let v = BTreeMap::from([
        ("language".to_string(), ctx.lang.code().to_string()),
        (
            "frequency".to_string(),
            Frequency::Instant.as_str().to_string(),
        ),
    ]);
    ctx.render(
        &state.templates,
        "subscribe.html",
        context! {
            categories => categories(&ctx),
            chosen => Vec::<String>::new(),
            v => v,
            errors => BTreeMap::<String, String>::new(),
            this_year => piazza_shared::clock::now().year(),
            form_challenge => Serde(challenge::issue(&state.app.keys, &state.app.settings.forms, FORM)),
        },
    )
}

pub async fn submit(
    State(state): State<PageState>,
    ctx: PageCtx,
    limit: Result<PublicLimit, ApiError>,
    ClientAddress(source): ClientAddress,
    form: FormData,
) -> Response {
    if let Err(error) = limit {
        return ctx.api_error(&state.templates, error);
    }
    if !ctx.same_origin() {
        return ctx.error(
            &state.templates,
            StatusCode::FORBIDDEN,
            ctx.t(
                "Il modulo non viene da questo sito.",
                "The form does not come from this site.",
            ),
        );
    }
    let mut errors = BTreeMap::new();
    let mut problem = None;
    let answered = match challenge::check(
        &state.app.keys,
        &state.app.settings.forms,
        FORM,
        form.get("challenge"),
        form.get("solution"),
    ) {
        Ok(answered) => Some(answered),
        Err(refused) => {
            problem = Some(refused.message(ctx.lang));
            None
        }
    };
    let chosen = form.all("interests");
    let interests: Vec<Category> = chosen.iter().filter_map(|c| Category::parse(c)).collect();
    let birth_year = form.get("birth_year").parse::<i64>().unwrap_or_else(|_| {
        errors.insert(
            "birth_year".to_string(),
            ctx.t("un anno, es. 2006", "a year, e.g. 2006").to_string(),
        );
        0
    });
    let language = match Lang::parse(form.get("language")).unwrap_or(ctx.lang) {
        Lang::It => Language::It,
        Lang::En => Language::En,
    };
    // Anything but a weekly digest asked for is one email per event, as the form defaults.
    let frequency = Frequency::parse(form.get("frequency")).unwrap_or(Frequency::Instant);
    let mut accepted = false;
    if let (true, Some(answered)) = (errors.is_empty(), &answered) {
        let body = NewSubscriber {
            email: form.get("email").to_string(),
            interests,
            birth_year,
            language,
            frequency,
            guardian_email: form.opt("guardian_email").map(str::to_string),
        };
        match subscribers::subscribe(&state.app, source, body, Some(answered)).await {
            Ok(_) => accepted = true,
            Err(NotifierError::Api(ApiError::Validation(list))) => {
                for e in list {
                    if e.field == "challenge" {
                        problem = Some(challenge::ChallengeError::Spent.message(ctx.lang));
                        continue;
                    }
                    let said = messages::field_error(&e.field, &e.message, ctx.lang);
                    let field = if e.field.starts_with("interests") {
                        "interests".to_string()
                    } else {
                        e.field
                    };
                    errors.entry(field).or_insert(said);
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error.into()),
        }
    }
    ctx.render_status(
        &state.templates,
        if accepted {
            StatusCode::ACCEPTED
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        "subscribe.html",
        context! {
            accepted => accepted,
            email => form.get("email"),
            categories => categories(&ctx),
            chosen => chosen,
            v => form.to_map(),
            errors => errors,
            problem => problem,
            this_year => piazza_shared::clock::now().year(),
            form_challenge => Serde(challenge::issue(&state.app.keys, &state.app.settings.forms, FORM)),
        },
    )
}
