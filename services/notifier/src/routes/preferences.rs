//! Changing one's preferences — interests, how often, which language — with the signed manage
//! link from any email: as JSON (`PATCH /api/v1/subscribers?token=`) or from the manage page's
//! form (`POST /subscriptions/manage?token=`). Both go through [`change`], which validates the
//! whole change before storing any of it and writes the change into the consent log.

use super::{
    pages::{bad_link, page},
    subscribers::{TokenQuery, record_consent},
};
use crate::{
    db::{deliveries, subscribers},
    domain::Frequency,
    email::templates::escape,
    links::MANAGE,
    state::AppState,
};
use axum::{body::Bytes, extract::State, http::StatusCode, response::Response};
use piazza_shared::{
    contracts::{Category, Language},
    http::{ApiError, ClientAddress, Json, Problem, PublicLimit, Query, SameOrigin, Violations},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What to change; what is left out stays as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesChange {
    pub interests: Option<Vec<Category>>,
    pub frequency: Option<Frequency>,
    pub language: Option<Language>,
}

/// A subscriber's preferences.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Preferences {
    pub email: String,
    pub interests: Vec<Category>,
    pub frequency: Frequency,
    pub language: Language,
    /// `pending`, `active` or `unsubscribed`.
    pub status: String,
}

fn view(s: &subscribers::Model) -> Preferences {
    Preferences {
        email: s.email.clone(),
        interests: serde_json::from_value(s.interests.clone()).unwrap_or_default(),
        frequency: if s.frequency == "weekly" {
            Frequency::Weekly
        } else {
            Frequency::Instant
        },
        language: Language::parse(&s.language).unwrap_or_default(),
        status: s.status.clone(),
    }
}

/// The subscriber a manage token names: 401 for a bad token, 404 once erased.
pub async fn subscriber_of(state: &AppState, token: &str) -> Result<subscribers::Model, ApiError> {
    let claims = state
        .links
        .verify(MANAGE, token)
        .map_err(|e| ApiError::Unauthorized(format!("invalid link: {e}")))?;
    subscribers::Entity::find_by_id(claims.s)
        .one(state.db.conn())
        .await?
        .filter(|s| s.email == claims.e)
        .ok_or(ApiError::NotFound("subscriber"))
}

/// Applies `change` to `subscriber`: 422 naming the field when it does not hold, nothing stored.
async fn change(
    state: &AppState,
    subscriber: subscribers::Model,
    change: PreferencesChange,
    source: Option<String>,
) -> Result<subscribers::Model, ApiError> {
    let mut v = Violations::new();
    if let Some(interests) = &change.interests {
        v.check(
            !interests.is_empty(),
            "interests",
            "choose at least one interest",
        );
    }
    v.check(
        subscriber.status != "unsubscribed",
        "status",
        "this subscription was cancelled: subscribe again to choose what to receive",
    );
    v.finish()?;
    let mut updated = subscriber.clone();
    let mut said = Vec::new();
    if let Some(mut interests) = change.interests {
        interests.sort();
        interests.dedup();
        let names: Vec<&str> = interests.iter().map(|c| c.as_str()).collect();
        said.push(format!("interests {}", names.join(", ")));
        updated.interests = serde_json::json!(interests);
    }
    if let Some(frequency) = change.frequency {
        said.push(format!("{} emails", frequency.as_str()));
        updated.frequency = frequency.as_str().into();
    }
    if let Some(language) = change.language {
        said.push(format!("language {}", language.as_str()));
        updated.language = language.as_str().into();
    }
    if updated == subscriber {
        return Ok(updated);
    }
    let txn = state.db.begin().await?;
    let mut active: subscribers::ActiveModel = subscriber.clone().into();
    active.interests = Set(updated.interests.clone());
    active.frequency = Set(updated.frequency.clone());
    active.language = Set(updated.language.clone());
    subscribers::Entity::update(active).exec(&*txn).await?;
    if updated.language != subscriber.language {
        // Emails still waiting are written in the language asked for now.
        deliveries::Entity::update_many()
            .col_expr(
                deliveries::Column::Language,
                Expr::value(updated.language.clone()),
            )
            .filter(deliveries::Column::SubscriberId.eq(subscriber.id))
            .filter(deliveries::Column::State.eq("pending"))
            .exec(&*txn)
            .await?;
    }
    record_consent(
        &*txn,
        subscriber.id,
        "preferences_changed",
        &format!("chose {}", said.join("; ")),
        source,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(subscriber_id = %subscriber.id, "preferences changed");
    Ok(updated)
}

/// Changes one's preferences, with the manage link's token.
#[utoipa::path(
    patch,
    path = "/api/v1/subscribers",
    tag = "subscribers",
    security(("link" = [])),
    params(TokenQuery),
    request_body = PreferencesChange,
    responses(
        (status = 200, body = Preferences), (status = 401, description = "Bad or expired link", body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    ClientAddress(source): ClientAddress,
    Query(query): Query<TokenQuery>,
    Json(body): Json<PreferencesChange>,
) -> Result<axum::Json<Preferences>, ApiError> {
    let subscriber = subscriber_of(&state, &query.token).await?;
    let updated = change(&state, subscriber, body, source).await?;
    Ok(axum::Json(view(&updated)))
}

/// Reads the manage page's form (`interests` repeated, `frequency`, `language`).
fn read_form(body: &[u8]) -> Result<PreferencesChange, ApiError> {
    let mut v = Violations::new();
    let mut interests = Vec::new();
    let mut change = PreferencesChange::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        match key.as_ref() {
            "interests" => match Category::parse(&value) {
                Some(c) => interests.push(c),
                None => v.add("interests", format!("unknown category `{value}`")),
            },
            "frequency" => match value.as_ref() {
                "instant" => change.frequency = Some(Frequency::Instant),
                "weekly" => change.frequency = Some(Frequency::Weekly),
                other => v.add("frequency", format!("unknown frequency `{other}`")),
            },
            "language" => match Language::parse(&value) {
                Some(l) => change.language = Some(l),
                None => v.add("language", format!("unknown language `{value}`")),
            },
            _ => {}
        }
    }
    v.finish()?;
    // A form sends no key for unticked boxes: all unticked means none chosen.
    change.interests = Some(interests);
    Ok(change)
}

fn error_page(error: ApiError) -> Response {
    let problem = error.to_problem();
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    let details: Vec<String> = problem
        .errors
        .iter()
        .map(|e| format!("<li>{}: {}</li>", escape(&e.field), escape(&e.message)))
        .collect();
    page(
        status,
        "Preferenze non salvate",
        &format!(
            "<p>{}</p><ul>{}</ul>",
            escape(&problem.detail),
            details.join("")
        ),
    )
}

/// The manage page's form: saves the preferences and says so.
#[utoipa::path(
    post,
    path = "/subscriptions/manage",
    tag = "subscriptions",
    security(("link" = [])),
    params(TokenQuery),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "interests (repeated), frequency, language"),
    responses(
        (status = 200, description = "Saved (HTML page)", content_type = "text/html"),
        (status = 400, description = "Bad or expired link (HTML page)", content_type = "text/html"),
        (status = 422, description = "A field does not hold (HTML page)", content_type = "text/html"),
        (status = 403, description = "A form sent from another site", body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = Problem),
    )
)]
pub async fn save(
    State(state): State<AppState>,
    _limit: PublicLimit,
    _origin: SameOrigin,
    ClientAddress(source): ClientAddress,
    Query(query): Query<TokenQuery>,
    body: Bytes,
) -> Response {
    let subscriber = match subscriber_of(&state, &query.token).await {
        Ok(s) => s,
        Err(ApiError::Unauthorized(reason)) => return bad_link(&reason),
        Err(error) => return error_page(error),
    };
    let result = match read_form(&body) {
        Ok(wanted) => change(&state, subscriber, wanted, source).await,
        Err(error) => Err(error),
    };
    match result {
        Ok(updated) => {
            let language = Language::parse(&updated.language).unwrap_or_default();
            let (title, said) = match language {
                Language::It => ("Preferenze salvate", "Da ora ti scriviamo così."),
                Language::En => ("Preferences saved", "From now on, this is how we write."),
            };
            page(
                StatusCode::OK,
                title,
                &format!("<p>{said}</p>{}", form(&state, &updated, &query.token)),
            )
        }
        Err(error) => error_page(error),
    }
}

/// The preferences form, filled in with `s`'s choices, posting back with `token`.
pub fn form(state: &AppState, s: &subscribers::Model, token: &str) -> String {
    let current = view(s);
    let language = current.language;
    let (interests_label, how_often, instant, weekly, lang_label, save, leave) = match language {
        Language::It => (
            "I tuoi interessi",
            "Quanto spesso",
            "A ogni nuovo evento",
            "Un riepilogo a settimana",
            "Lingua",
            "Salva le preferenze",
            "Cancella l'iscrizione",
        ),
        Language::En => (
            "Your interests",
            "How often",
            "For every new event",
            "One digest a week",
            "Language",
            "Save preferences",
            "Unsubscribe",
        ),
    };
    let checked = |yes: bool| if yes { " checked" } else { "" };
    let boxes: String = Category::ALL
        .iter()
        .map(|c| {
            format!(
                "<label style=\"display:block\"><input type=\"checkbox\" name=\"interests\" value=\"{}\"{}> {}</label>",
                c.as_str(),
                checked(current.interests.contains(c)),
                escape(c.label(language))
            )
        })
        .collect();
    let mut action = state.links.page("/subscriptions/manage");
    action.push_str("?token=");
    action.push_str(&url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>());
    let unsubscribe = state.links.unsubscribe(s.id, &s.email);
    format!(
        "<form method=\"post\" action=\"{action}\">\
         <fieldset><legend>{interests_label}</legend>{boxes}</fieldset>\
         <fieldset><legend>{how_often}</legend>\
         <label style=\"display:block\"><input type=\"radio\" name=\"frequency\" value=\"instant\"{}> {instant}</label>\
         <label style=\"display:block\"><input type=\"radio\" name=\"frequency\" value=\"weekly\"{}> {weekly}</label></fieldset>\
         <fieldset><legend>{lang_label}</legend>\
         <label style=\"display:block\"><input type=\"radio\" name=\"language\" value=\"it\"{}> Italiano</label>\
         <label style=\"display:block\"><input type=\"radio\" name=\"language\" value=\"en\"{}> English</label></fieldset>\
         <p><button type=\"submit\">{save}</button></p></form>\
         <form method=\"post\" action=\"{}\"><button type=\"submit\">{leave}</button></form>",
        checked(current.frequency == Frequency::Instant),
        checked(current.frequency == Frequency::Weekly),
        checked(language == Language::It),
        checked(language == Language::En),
        escape(&unsubscribe),
        action = escape(&action),
    )
}
