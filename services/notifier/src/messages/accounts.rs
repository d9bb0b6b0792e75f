//! A link to set a password (an invitation, or a reset by an administrator) reaches the account's
//! address. Each message is its own email: a second reset is a new link, a redelivered message is
//! not.

use crate::{
    db::deliveries::{NewDelivery, enqueue},
    domain::Kind,
};
use piazza_shared::{bus::HandleError, contracts::account::PasswordLinkIssued};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

pub async fn password_link(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    message: &PasswordLinkIssued,
) -> Result<(), HandleError> {
    let item = NewDelivery {
        kind: Kind::PasswordLink,
        subject_id: message_id,
        recipient: message.email.clone(),
        subscriber_id: None,
        language: message.language,
        context: serde_json::to_value(message).unwrap_or_default(),
    };
    enqueue(txn, vec![item]).await?;
    Ok(())
}
