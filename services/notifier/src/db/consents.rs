//! `consents`: the log of what a subscriber (or guardian) agreed to, when, and from where.

use crate::domain::ConsentAction;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subscriber_id: Uuid,
    /// `subscribed`, `confirmed`, `guardian_confirmed`, `preferences_changed`, `unsubscribed`.
    pub action: String,
    /// What was agreed, in words.
    pub detail: String,
    /// Where the request came from (client address).
    pub source: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Appends to the log; returns the record's id.
pub async fn record(
    conn: &impl ConnectionTrait,
    subscriber: Uuid,
    action: ConsentAction,
    detail: &str,
    source: Option<String>,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    Entity::insert(ActiveModel::from(Model {
        id,
        subscriber_id: subscriber,
        action: action.as_str().to_string(),
        detail: detail.to_string(),
        source,
        at: piazza_shared::clock::now(),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}
