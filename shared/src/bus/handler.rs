//! What a service does with the messages it consumes: a [`MessageHandler`] applied inside the
//! transaction that also records the message in the inbox (see [`super::consumer`]).

use super::HandleError;
use crate::envelope::{Envelope, Message};
use async_trait::async_trait;
use sea_orm::{DatabaseTransaction, DbErr};

/// Handles the messages a service consumes, inside the transaction that also records the
/// message in the inbox. Services build one from their dispatch table
/// ([`crate::bus::dispatch::Dispatcher`]), whose types are also their bindings
/// ([`crate::runtime::ServiceDef::bindings`]).
#[async_trait]
pub trait MessageHandler: Send + Sync {
    /// Applies the message. An error rolls the transaction back.
    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        envelope: &Envelope,
    ) -> Result<(), HandleError>;

    /// Called after the transaction committed (to wake a worker, say).
    fn after_commit(&self, _envelope: &Envelope) {}
}

impl From<DbErr> for HandleError {
    /// A database that cannot be reached is nobody's fault ([`HandleError::Unavailable`]); any
    /// other database error is worth a few more tries ([`HandleError::Retry`]).
    fn from(error: DbErr) -> Self {
        if crate::db::is_connection_error(&error) {
            HandleError::Unavailable(anyhow::Error::new(error))
        } else {
            HandleError::Retry(anyhow::Error::new(error))
        }
    }
}

/// Reads a message's data as its contract; a mismatch is permanent.
pub fn decode<M: Message>(envelope: &Envelope) -> Result<M, HandleError> {
    envelope
        .decode::<M>()
        .map_err(|e| HandleError::Reject(anyhow::Error::new(e)))
}
