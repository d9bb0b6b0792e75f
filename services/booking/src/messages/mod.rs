//! What the booking service does with messages: it answers the scheduler's slot requests and
//! releases slots of events that no longer need them.

mod slots;

use crate::state::AppState;
use async_trait::async_trait;
use piazza_shared::{
    Envelope, Message,
    bus::HandleError,
    contracts::scheduling::{SlotReleased, SlotRequested},
    runtime::MessageHandler,
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
        vec![SlotRequested::routing_key(), SlotReleased::routing_key()]
    }

    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        envelope: &Envelope,
    ) -> Result<(), HandleError> {
        if envelope.is::<SlotRequested>() {
            slots::requested(&self.state, txn, envelope).await
        } else if envelope.is::<SlotReleased>() {
            slots::released(&self.state, txn, envelope).await
        } else {
            tracing::debug!(event_type = %envelope.event_type, "not for booking; ignored");
            Ok(())
        }
    }
}
