//! What the notifier does with messages: each becomes delivery rows (and updates its copies of
//! events and registrations), in the same transaction that records the message in the inbox.
//! The sender sends them afterwards.

mod accounts;
mod bookings;
mod digest;
mod events;
mod ideas;
mod notices;
mod registrations;

use crate::{
    domain::{Kind, RegistrationStatus},
    state::AppState,
};
use futures::FutureExt;
use piazza_shared::{
    Message,
    bus::dispatch::Route,
    contracts::{
        account::PasswordLinkIssued,
        booking::{BookingApproved, BookingCancelled, BookingRejected},
        event::{EventCancelled, EventPublished, EventRescheduled, EventUpdated},
        idea::{IdeaAuthorErased, IdeaDecided, IdeaVerificationRequested},
        jobs::{DigestDue, ReminderDue},
        notice::NoticeIssued,
        registration::{
            RegistrationCancelled, RegistrationConfirmed, RegistrationPromoted,
            RegistrationWaitlisted,
        },
    },
    runtime::decode,
};

/// The messages the notifier consumes; its queue's bindings are derived from this table.
pub const ROUTES: &[Route<AppState>] = &[
    Route {
        event_type: EventPublished::TYPE,
        handle: |_, txn, envelope| {
            async move { events::published(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: EventUpdated::TYPE,
        handle: |_, txn, envelope| {
            async move { events::updated(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: EventRescheduled::TYPE,
        handle: |_, txn, envelope| {
            async move { events::rescheduled(txn, envelope.id, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: EventCancelled::TYPE,
        handle: |_, txn, envelope| {
            async move { events::cancelled(txn, envelope.id, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: RegistrationConfirmed::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let RegistrationConfirmed(change) = decode(envelope)?;
                let kind = Some(Kind::RegistrationConfirmed);
                registrations::changed(txn, &change, RegistrationStatus::Confirmed, kind).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationWaitlisted::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let RegistrationWaitlisted(change) = decode(envelope)?;
                let kind = Some(Kind::RegistrationWaitlisted);
                registrations::changed(txn, &change, RegistrationStatus::Waitlisted, kind).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationPromoted::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let RegistrationPromoted(change) = decode(envelope)?;
                let kind = Some(Kind::RegistrationPromoted);
                registrations::changed(txn, &change, RegistrationStatus::Confirmed, kind).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationCancelled::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let RegistrationCancelled(change) = decode(envelope)?;
                // The person cancelled (or was cancelled) on the scheduler's page, which says
                // so; what matters here is that no reminder follows.
                registrations::changed(txn, &change, RegistrationStatus::Cancelled, None).await
            }
            .boxed()
        },
    },
    Route {
        event_type: ReminderDue::TYPE,
        handle: |_, txn, envelope| {
            async move { registrations::reminder(txn, envelope.id, &decode(envelope)?).await }
                .boxed()
        },
    },
    Route {
        event_type: DigestDue::TYPE,
        handle: |state, txn, envelope| {
            async move { digest::due(txn, &decode(envelope)?, state.settings.time_zone).await }
                .boxed()
        },
    },
    Route {
        event_type: BookingApproved::TYPE,
        handle: |_, txn, envelope| {
            async move { bookings::approved(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: BookingRejected::TYPE,
        handle: |_, txn, envelope| {
            async move { bookings::rejected(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: BookingCancelled::TYPE,
        handle: |_, txn, envelope| {
            async move { bookings::cancelled(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: PasswordLinkIssued::TYPE,
        handle: |_, txn, envelope| {
            async move { accounts::password_link(txn, envelope.id, &decode(envelope)?).await }
                .boxed()
        },
    },
    Route {
        event_type: NoticeIssued::TYPE,
        handle: |_, txn, envelope| {
            async move { notices::issued(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: IdeaVerificationRequested::TYPE,
        handle: |_, txn, envelope| {
            async move { ideas::verification(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: IdeaDecided::TYPE,
        handle: |_, txn, envelope| {
            async move { ideas::decided(txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: IdeaAuthorErased::TYPE,
        handle: |_, txn, envelope| {
            async move { ideas::author_erased(txn, &decode(envelope)?).await }.boxed()
        },
    },
];

/// Wakes the sender once a handled message's deliveries are committed.
pub fn wake_sender(state: &AppState) {
    state.wake_sender.notify_one();
}
