//! What the notifier does with messages: each becomes delivery rows (and updates its copies of
//! events and registrations), in the same transaction that records the message in the inbox.
//! The sender sends them afterwards.

mod bookings;
mod digest;
pub mod events;
mod registrations;

pub use digest::takes_place_in;

use crate::{domain::Kind, state::AppState};
use async_trait::async_trait;
use piazza_shared::{
    Envelope, Message,
    bus::HandleError,
    contracts::{
        booking::{BookingApproved, BookingCancelled, BookingRejected},
        event::{EventCancelled, EventPublished, EventRescheduled, EventUpdated},
        jobs::{DigestDue, ReminderDue},
        registration::{
            RegistrationCancelled, RegistrationConfirmed, RegistrationPromoted,
            RegistrationWaitlisted,
        },
    },
    runtime::{MessageHandler, decode},
};
use registrations::{CANCELLED, CONFIRMED, WAITLISTED};
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
            EventUpdated::routing_key(),
            EventRescheduled::routing_key(),
            EventCancelled::routing_key(),
            RegistrationConfirmed::routing_key(),
            RegistrationWaitlisted::routing_key(),
            RegistrationPromoted::routing_key(),
            RegistrationCancelled::routing_key(),
            ReminderDue::routing_key(),
            DigestDue::routing_key(),
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
        let id = envelope.id;
        match envelope.event_type.as_str() {
            EventPublished::TYPE => events::published(txn, &decode(envelope)?).await,
            EventUpdated::TYPE => events::updated(txn, &decode(envelope)?).await,
            EventRescheduled::TYPE => events::rescheduled(txn, id, &decode(envelope)?).await,
            EventCancelled::TYPE => events::cancelled(txn, id, &decode(envelope)?).await,
            RegistrationConfirmed::TYPE => {
                let RegistrationConfirmed(change) = decode(envelope)?;
                let kind = Some(Kind::RegistrationConfirmed);
                registrations::changed(txn, &change, CONFIRMED, kind).await
            }
            RegistrationWaitlisted::TYPE => {
                let RegistrationWaitlisted(change) = decode(envelope)?;
                let kind = Some(Kind::RegistrationWaitlisted);
                registrations::changed(txn, &change, WAITLISTED, kind).await
            }
            RegistrationPromoted::TYPE => {
                let RegistrationPromoted(change) = decode(envelope)?;
                let kind = Some(Kind::RegistrationPromoted);
                registrations::changed(txn, &change, CONFIRMED, kind).await
            }
            RegistrationCancelled::TYPE => {
                let RegistrationCancelled(change) = decode(envelope)?;
                // The person cancelled (or was cancelled) on the scheduler's page, which says so;
                // what matters here is that no reminder follows.
                registrations::changed(txn, &change, CANCELLED, None).await
            }
            ReminderDue::TYPE => registrations::reminder(txn, id, &decode(envelope)?).await,
            DigestDue::TYPE => {
                digest::due(txn, &decode(envelope)?, self.state.settings.time_zone).await
            }
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
