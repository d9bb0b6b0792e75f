//! What the email links do to a subscription: confirm it (double opt-in, or a guardian's consent)
//! and end it. Each change is written with its consent record in one transaction. The pages that
//! ask for these clicks are in `pages::links`.

use crate::{
    db::{deliveries, subscribers},
    links::LinkClaims,
    routes::subscribers::record_consent,
    state::AppState,
};
use piazza_shared::{auth::TokenError, http::ApiError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

/// Why a link opens no subscription.
#[derive(Debug)]
pub enum LinkRefused {
    /// Forged, expired, or made for another purpose.
    Invalid(TokenError),
    /// Erased since (or the address changed).
    Gone,
    Failed(ApiError),
}

/// The subscriber a link for `purpose` names.
pub async fn open(
    state: &AppState,
    purpose: &str,
    token: &str,
) -> Result<subscribers::Model, LinkRefused> {
    let LinkClaims { s, e } = state
        .links
        .verify(purpose, token)
        .map_err(LinkRefused::Invalid)?;
    subscribers::Entity::find_by_id(s)
        .one(state.db.conn())
        .await
        .map_err(|error| LinkRefused::Failed(error.into()))?
        .filter(|subscriber| subscriber.email == e)
        .ok_or(LinkRefused::Gone)
}

/// Confirms a pending subscription (from `source`); an active one stays as it is.
pub async fn confirm(
    state: &AppState,
    subscriber: &subscribers::Model,
    source: Option<String>,
) -> Result<(), ApiError> {
    if subscriber.status != "pending" {
        return Ok(());
    }
    let txn = state.db.begin().await?;
    let confirmed = subscribers::Entity::update_many()
        .col_expr(subscribers::Column::Status, Expr::value("active"))
        .col_expr(
            subscribers::Column::ConfirmedAt,
            Expr::value(Some(piazza_shared::clock::now())),
        )
        .filter(subscribers::Column::Id.eq(subscriber.id))
        .filter(subscribers::Column::Status.eq("pending"))
        .exec(&*txn)
        .await?
        .rows_affected;
    if confirmed == 0 {
        // Confirmed (or ended) meanwhile, by another click.
        return Ok(txn.commit().await?);
    }
    let (action, detail) = match &subscriber.guardian_email {
        Some(g) => (
            "guardian_confirmed",
            format!("guardian {g} consented to emails for {}", subscriber.email),
        ),
        None => (
            "confirmed",
            "confirmed the subscription from the emailed link".to_string(),
        ),
    };
    record_consent(&*txn, subscriber.id, action, &detail, source).await?;
    txn.commit().await?;
    tracing::info!(subscriber_id = %subscriber.id, "subscription confirmed");
    Ok(())
}

/// Ends a subscription and drops the emails still waiting for the person; nothing happens to
/// one already ended.
pub async fn unsubscribe(
    state: &AppState,
    subscriber: &subscribers::Model,
    source: Option<String>,
) -> Result<(), ApiError> {
    if subscriber.status == "unsubscribed" {
        return Ok(());
    }
    let txn = state.db.begin().await?;
    let now = piazza_shared::clock::now();
    let mut active: subscribers::ActiveModel = subscriber.clone().into();
    active.status = Set("unsubscribed".into());
    active.unsubscribed_at = Set(Some(now));
    subscribers::Entity::update(active).exec(&*txn).await?;
    deliveries::Entity::update_many()
        .col_expr(deliveries::Column::State, Expr::value("cancelled"))
        .col_expr(
            deliveries::Column::LastError,
            Expr::value(Some("unsubscribed".to_string())),
        )
        .filter(deliveries::Column::SubscriberId.eq(subscriber.id))
        .filter(deliveries::Column::State.eq("pending"))
        .exec(&*txn)
        .await?;
    record_consent(
        &*txn,
        subscriber.id,
        "unsubscribed",
        "withdrew consent to event emails",
        source,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(subscriber_id = %subscriber.id, "unsubscribed");
    Ok(())
}
