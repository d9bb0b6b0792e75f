//! Emails whose outcome is unknown (state `unknown`: the connection broke after the email's
//! content went out, before the server answered). The sender never sends them again by itself;
//! an operator lists them (`piazza emails unknown`), checks the mail server's log, and sends again
//! those the server did not take (`piazza emails resend`): these are the operator's use cases,
//! reached from the command line with a database connection.

use crate::{db::deliveries, domain::DeliveryState};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::Serialize;
use uuid::Uuid;

/// One such email, as an operator needs to look it up in the mail server's log.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownEmail {
    pub id: Uuid,
    pub kind: String,
    pub recipient: String,
    /// When the send was tried.
    pub at: DateTime<Utc>,
    pub error: Option<String>,
}

/// Every email of unknown outcome, oldest first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<UnknownEmail>, DbErr> {
    Ok(deliveries::Entity::find()
        .filter(deliveries::Column::State.eq(DeliveryState::Unknown.as_str()))
        .order_by_asc(deliveries::Column::NextAttemptAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| UnknownEmail {
            id: row.id,
            kind: row.kind,
            recipient: row.recipient,
            at: row.next_attempt_at,
            error: row.last_error,
        })
        .collect())
}

/// Puts the emails `ids` that are still of unknown outcome back to be sent now; returns how many
/// (an id in another state is left alone).
pub async fn resend(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<u64, DbErr> {
    Ok(deliveries::Entity::update_many()
        .col_expr(
            deliveries::Column::State,
            Expr::value(DeliveryState::Pending.as_str()),
        )
        .col_expr(
            deliveries::Column::NextAttemptAt,
            Expr::value(piazza_shared::clock::now()),
        )
        .filter(deliveries::Column::Id.is_in(ids.iter().copied()))
        .filter(deliveries::Column::State.eq(DeliveryState::Unknown.as_str()))
        .exec(conn)
        .await?
        .rows_affected)
}
