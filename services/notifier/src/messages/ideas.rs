//! Ideas sent without an account: their author gets the link that verifies the idea
//! (`piazza.idea.verification_requested`), then what staff decided (`piazza.idea.decided`).
//! Each is one delivery keyed by the idea, so a redelivered message sends nothing more; the
//! scheduler has already applied the public forms' limits to the verification.

use crate::{
    db::deliveries::{self, NewDelivery, enqueue},
    domain::Kind,
};
use piazza_shared::{
    bus::HandleError,
    contracts::idea::{IdeaAuthor, IdeaAuthorErased, IdeaDecided, IdeaVerificationRequested},
};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction};
use uuid::Uuid;

async fn write(
    txn: &DatabaseTransaction,
    kind: Kind,
    idea_id: Uuid,
    author: &IdeaAuthor,
    context: serde_json::Value,
) -> Result<(), HandleError> {
    let item = NewDelivery {
        kind,
        subject_id: idea_id,
        recipient: author.email.trim().to_lowercase(),
        subscriber_id: None,
        language: author.language,
        context,
    };
    enqueue(txn, vec![item]).await?;
    Ok(())
}

pub async fn verification(
    txn: &DatabaseTransaction,
    message: &IdeaVerificationRequested,
) -> Result<(), HandleError> {
    let context = serde_json::to_value(message).unwrap_or_default();
    write(
        txn,
        Kind::IdeaVerification,
        message.idea_id,
        &message.author,
        context,
    )
    .await
}

pub async fn decided(txn: &DatabaseTransaction, message: &IdeaDecided) -> Result<(), HandleError> {
    let context = serde_json::to_value(message).unwrap_or_default();
    write(
        txn,
        Kind::IdeaOutcome,
        message.idea_id,
        &message.author,
        context,
    )
    .await
}

/// The author was erased in the scheduler: the idea's emails forget them too.
pub async fn author_erased(
    txn: &DatabaseTransaction,
    message: &IdeaAuthorErased,
) -> Result<(), HandleError> {
    let kinds = [Kind::IdeaVerification, Kind::IdeaOutcome].map(|k| k.as_str());
    let which = Condition::all()
        .add(deliveries::Column::SubjectId.eq(message.idea_id))
        .add(deliveries::Column::Kind.is_in(kinds));
    deliveries::forget(txn, which).await?;
    Ok(())
}
