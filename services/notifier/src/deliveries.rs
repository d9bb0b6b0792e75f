//! Creating deliveries: each email is a row keyed by (kind, subject, recipient); inserting a key
//! that exists does nothing, which is what makes a redelivered message or a replayed fan-out
//! harmless.

use crate::{db::deliveries, domain::Kind};
use piazza_shared::contracts::Language;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

/// One email to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub kind: Kind,
    pub subject_id: Uuid,
    pub recipient: String,
    pub subscriber_id: Option<Uuid>,
    pub language: Language,
    pub context: serde_json::Value,
}

/// Rows per INSERT; keeps statements well under the databases' parameter limits.
const CHUNK: usize = 1000;

/// Inserts the deliveries that do not exist yet; returns how many were new.
pub async fn enqueue(conn: &impl ConnectionTrait, items: Vec<NewDelivery>) -> Result<u64, DbErr> {
    let now = piazza_shared::clock::now();
    let mut created = 0;
    let mut rows = items.into_iter().map(|d| {
        deliveries::ActiveModel::from(deliveries::Model {
            id: Uuid::now_v7(),
            kind: d.kind.as_str().to_string(),
            subject_id: d.subject_id,
            recipient: d.recipient,
            subscriber_id: d.subscriber_id,
            language: d.language.as_str().to_string(),
            context: d.context,
            state: "pending".into(),
            attempts: 0,
            last_error: None,
            next_attempt_at: now,
            created_at: now,
            sent_at: None,
            sender_id: None,
        })
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        created += deliveries::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    deliveries::Column::Kind,
                    deliveries::Column::SubjectId,
                    deliveries::Column::Recipient,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(created)
}
