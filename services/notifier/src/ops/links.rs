//! What the links in emails do to a subscription. A link is opened into a [`LinkHolder`] — the
//! subscriber its signed token names, for its one purpose — and the use cases that act for a
//! person take that holder, as the others take a signed-in caller. Here: confirm a subscription
//! (double opt-in, or a guardian's consent) and end it, each with its consent record in one
//! transaction. The pages that ask for these clicks are in `pages::links`.

use crate::{
    db::{consents, deliveries, subscribers},
    domain::{ConsentAction, SubscriberStatus},
    error::NotifierError,
    links::LinkClaims,
    state::AppState,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set, sea_query::Expr};

/// The subscriber a verified link names: who acts, for use cases reached from an email.
#[derive(Debug, Clone)]
pub struct LinkHolder(subscribers::Model);

impl LinkHolder {
    pub fn subscriber(&self) -> &subscribers::Model {
        &self.0
    }

    pub fn into_subscriber(self) -> subscribers::Model {
        self.0
    }
}

/// The subscriber a link for `purpose` names: [`NotifierError::LinkInvalid`] for a forged,
/// expired or misdirected token, [`NotifierError::SubscriberGone`] once erased.
pub async fn open(
    state: &AppState,
    purpose: &str,
    token: &str,
) -> Result<LinkHolder, NotifierError> {
    let LinkClaims { s, e } = state
        .links
        .verify(purpose, token)
        .map_err(NotifierError::LinkInvalid)?;
    subscribers::Entity::find_by_id(s)
        .one(state.db.conn())
        .await?
        .filter(|subscriber| subscriber.email == e)
        .map(LinkHolder)
        .ok_or(NotifierError::SubscriberGone)
}

/// Confirms a pending subscription (from `source`); an active one stays as it is, an ended one
/// is refused ([`NotifierError::SubscriptionEnded`]).
pub async fn confirm(
    state: &AppState,
    holder: &LinkHolder,
    source: Option<String>,
) -> Result<(), NotifierError> {
    let subscriber = holder.subscriber();
    match subscriber.status() {
        SubscriberStatus::Pending => {}
        SubscriberStatus::Active => return Ok(()),
        SubscriberStatus::Unsubscribed => return Err(NotifierError::SubscriptionEnded),
    }
    let unit = state.begin().await?;
    let confirmed = subscribers::Entity::update_many()
        .col_expr(
            subscribers::Column::Status,
            Expr::value(SubscriberStatus::Active.as_str()),
        )
        .col_expr(
            subscribers::Column::ConfirmedAt,
            Expr::value(Some(piazza_shared::clock::now())),
        )
        .filter(subscribers::Column::Id.eq(subscriber.id))
        .filter(subscribers::Column::Status.eq(SubscriberStatus::Pending.as_str()))
        .exec(&*unit)
        .await?
        .rows_affected;
    if confirmed == 0 {
        // Confirmed (or ended) meanwhile, by another click.
        return Ok(unit.commit().await?);
    }
    let (action, detail) = match &subscriber.guardian_email {
        Some(g) => (
            ConsentAction::GuardianConfirmed,
            format!("guardian {g} consented to emails for {}", subscriber.email),
        ),
        None => (
            ConsentAction::Confirmed,
            "confirmed the subscription from the emailed link".to_string(),
        ),
    };
    consents::record(&*unit, subscriber.id, action, &detail, source).await?;
    unit.commit().await?;
    tracing::info!(subscriber_id = %subscriber.id, "subscription confirmed");
    Ok(())
}

/// Ends a subscription and drops the emails still waiting for the person; nothing happens to
/// one already ended.
pub async fn unsubscribe(
    state: &AppState,
    holder: &LinkHolder,
    source: Option<String>,
) -> Result<(), NotifierError> {
    let subscriber = holder.subscriber();
    if subscriber.status() == SubscriberStatus::Unsubscribed {
        return Ok(());
    }
    let unit = state.begin().await?;
    let now = piazza_shared::clock::now();
    let mut active: subscribers::ActiveModel = subscriber.clone().into();
    active.status = Set(SubscriberStatus::Unsubscribed.as_str().into());
    active.unsubscribed_at = Set(Some(now));
    subscribers::Entity::update(active).exec(&*unit).await?;
    let theirs = Condition::all().add(deliveries::Column::SubscriberId.eq(subscriber.id));
    deliveries::cancel_pending(&*unit, theirs, "unsubscribed").await?;
    consents::record(
        &*unit,
        subscriber.id,
        ConsentAction::Unsubscribed,
        "withdrew consent to event emails",
        source,
    )
    .await?;
    unit.commit().await?;
    tracing::info!(subscriber_id = %subscriber.id, "unsubscribed");
    Ok(())
}
