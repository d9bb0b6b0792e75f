//! What the notifier does with messages: each becomes delivery rows, in the same transaction
//! that records the message in the inbox. The sender sends them afterwards.

mod bookings;
mod events;

use crate::state::AppState;
use async_trait::async_trait;
use piazza_shared::{
    Envelope, Message,
    bus::HandleError,
    contracts::{
        booking::{BookingApproved, BookingCancelled, BookingRejected},
        event::{EventCancelled, EventPublished},
    },
    runtime::{MessageHandler, decode},
};
use sea_orm::DatabaseTransaction;

pub struct Handler {
    state: AppState,
}

impl Handler {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait]
impl MessageHandler for Handler {
    fn bindings(&self) -> Vec<&'static str> {
        vec![
            EventPublished::routing_key(),
            EventCancelled::routing_key(),
            BookingApproved::routing_key(),
            BookingRejected::routing_key(),
            BookingCancelled::routing_key(),
        ]
    }

    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        envelope: &Envelope,
    ) -> Result<(), HandleError> {
        match envelope.event_type.as_str() {
            EventPublished::TYPE => events::published(txn, &decode(envelope)?).await,
            EventCancelled::TYPE => events::cancelled(txn, &decode(envelope)?).await,
            BookingApproved::TYPE => bookings::approved(txn, &decode(envelope)?).await,
            BookingRejected::TYPE => bookings::rejected(txn, &decode(envelope)?).await,
            BookingCancelled::TYPE => bookings::cancelled(txn, &decode(envelope)?).await,
            other => {
                tracing::debug!(event_type = other, "not for the notifier; ignored");
                Ok(())
            }
        }
    }

    fn after_commit(&self, _envelope: &Envelope) {
        self.state.wake_sender.notify_one();
    }
}
