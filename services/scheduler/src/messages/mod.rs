//! What the scheduler does with messages: it keeps its read model of spaces and follows
//! booking's answers to its slot requests.

mod bookings;
mod spaces;

use crate::state::AppState;
use async_trait::async_trait;
use piazza_shared::{
    Envelope, Message,
    bus::HandleError,
    contracts::{
        booking::{BookingApproved, BookingCancelled, BookingRejected, BookingRequested},
        space::{SpaceCreated, SpaceUpdated},
    },
    runtime::{MessageHandler, decode},
};
use sea_orm::DatabaseTransaction;

pub struct Handler {
    #[allow(dead_code)]
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
            SpaceCreated::routing_key(),
            SpaceUpdated::routing_key(),
            BookingRequested::routing_key(),
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
        let correlation = envelope.correlationid.as_deref();
        match envelope.event_type.as_str() {
            SpaceCreated::TYPE => {
                spaces::upsert(txn, &decode::<SpaceCreated>(envelope)?.space).await
            }
            SpaceUpdated::TYPE => {
                spaces::upsert(txn, &decode::<SpaceUpdated>(envelope)?.space).await
            }
            BookingRequested::TYPE => {
                bookings::requested(txn, &decode(envelope)?, correlation).await
            }
            BookingApproved::TYPE => bookings::approved(txn, &decode(envelope)?, correlation).await,
            BookingRejected::TYPE => bookings::rejected(txn, &decode(envelope)?, correlation).await,
            BookingCancelled::TYPE => {
                bookings::cancelled(txn, &decode(envelope)?, correlation).await
            }
            other => {
                tracing::debug!(event_type = other, "not for the scheduler; ignored");
                Ok(())
            }
        }
    }
}
