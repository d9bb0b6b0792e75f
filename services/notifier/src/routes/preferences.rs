//! Changing one's preferences — interests, how often, which language — with the signed manage
//! link from any email: as JSON (`PATCH /api/v1/subscribers?token=`) or from the manage page's
//! form (`POST /subscriptions/manage?token=`, in `pages::links`). Both go through [`change`],
//! which validates the whole change before storing any of it and writes the change into the
//! consent log.

use super::subscribers::{TokenQuery, record_consent};
use crate::{
    db::{deliveries, subscribers},
    domain::Frequency,
    links::MANAGE,
    state::AppState,
};
use axum::extract::State;
use piazza_shared::{
    contracts::{Category, Language},
    http::{ApiError, ClientAddress, Json, Problem, Query, Violations},
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

pub(crate) fn view(s: &subscribers::Model) -> Preferences {
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
pub(crate) async fn change(
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
