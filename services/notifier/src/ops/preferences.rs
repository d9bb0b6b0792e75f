//! Changing one's preferences — interests, how often, which language — with the signed manage
//! link from any email, whether the change comes as JSON (`PATCH /api/v1/subscribers`) or from
//! the manage page's form: the whole change is validated before any of it is stored, and it is
//! written into the consent log.

use super::links::LinkHolder;
use crate::{
    db::{consents, deliveries, subscribers},
    domain::{ConsentAction, DeliveryState, Frequency, SubscriberStatus},
    error::NotifierError,
    state::AppState,
};
use piazza_shared::{
    contracts::{Category, Language},
    http::Violations,
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
    pub status: SubscriberStatus,
}

/// The preferences as a subscriber has them.
pub fn view(s: &subscribers::Model) -> Preferences {
    Preferences {
        email: s.email.clone(),
        interests: s.interests(),
        frequency: s.frequency(),
        language: Language::parse(&s.language).unwrap_or_default(),
        status: s.status(),
    }
}

/// Applies `change` for the link's holder: 422 naming each field that does not hold (an ended
/// subscription names `status`), nothing stored. Answers the subscriber as it now is.
pub async fn change(
    state: &AppState,
    holder: LinkHolder,
    change: PreferencesChange,
    source: Option<String>,
) -> Result<subscribers::Model, NotifierError> {
    let subscriber = holder.into_subscriber();
    let mut v = Violations::new();
    if let Some(interests) = &change.interests {
        v.check(
            !interests.is_empty(),
            "interests",
            "choose at least one interest",
        );
    }
    v.check(
        subscriber.status() != SubscriberStatus::Unsubscribed,
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
    let unit = state.begin().await?;
    let mut active: subscribers::ActiveModel = subscriber.clone().into();
    active.interests = Set(updated.interests.clone());
    active.frequency = Set(updated.frequency.clone());
    active.language = Set(updated.language.clone());
    subscribers::Entity::update(active).exec(&*unit).await?;
    if updated.language != subscriber.language {
        // Emails still waiting are written in the language asked for now.
        deliveries::Entity::update_many()
            .col_expr(
                deliveries::Column::Language,
                Expr::value(updated.language.clone()),
            )
            .filter(deliveries::Column::SubscriberId.eq(subscriber.id))
            .filter(deliveries::Column::State.eq(DeliveryState::Pending.as_str()))
            .exec(&*unit)
            .await?;
    }
    consents::record(
        &*unit,
        subscriber.id,
        ConsentAction::PreferencesChanged,
        &format!("chose {}", said.join("; ")),
        source,
    )
    .await?;
    unit.commit().await?;
    tracing::info!(subscriber_id = %subscriber.id, "preferences changed");
    Ok(updated)
}
