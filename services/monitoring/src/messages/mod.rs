//! What the monitoring does with messages: each becomes facts (or a season), in the same
//! transaction that records the message in the inbox. Snapshots (answers to a resync) are
//! applied like the news they stand for; the rules in [`crate::domain::facts`] make a message
//! handled twice, late or out of order harmless.

mod bookings;
mod events;
mod others;
mod registrations;

use crate::state::AppState;
use futures::FutureExt;
use piazza_shared::{
    Message,
    bus::dispatch::Route,
    contracts::{
        booking::{BookingApproved, BookingCancelled},
        event::{EventCancelled, EventPublished, EventRescheduled, EventUpdated},
        idea::{IdeaReceived, IdeaTakenUp},
        pathway::{PathwayCompleted, PathwayEnrolled, PathwaySessionAttended},
        registration::{
            RegistrationCancelled, RegistrationConfirmed, RegistrationPromoted,
            RegistrationWaitlisted,
        },
        resync::{BookingSnapshot, EventSnapshot, RegistrationSnapshot},
        season::SeasonChanged,
        table::TableMeetingHeld,
    },
    runtime::decode,
};
use registrations::Place;

/// The messages the monitoring consumes; its queue's bindings are derived from this table.
pub const ROUTES: &[Route<AppState>] = &[
    Route {
        event_type: BookingApproved::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let BookingApproved { booking, .. } = decode(envelope)?;
                bookings::approved(txn, &booking, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: BookingCancelled::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let BookingCancelled { booking, .. } = decode(envelope)?;
                bookings::cancelled(txn, &booking, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: BookingSnapshot::TYPE,
        handle: |_, txn, envelope| {
            async move { bookings::snapshot(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: EventPublished::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let EventPublished { event, .. } = decode(envelope)?;
                events::published(txn, &event, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: EventUpdated::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let EventUpdated { event, .. } = decode(envelope)?;
                events::published(txn, &event, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: EventRescheduled::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let EventRescheduled { event, .. } = decode(envelope)?;
                events::published(txn, &event, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: EventCancelled::TYPE,
        handle: |_, txn, envelope| {
            async move { events::cancelled(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: EventSnapshot::TYPE,
        handle: |_, txn, envelope| {
            async move { events::snapshot(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: RegistrationConfirmed::TYPE,
        handle: |state, txn, envelope| {
            async move {
                let RegistrationConfirmed(change) = decode(envelope)?;
                registrations::changed(state, txn, &change, Place::Given, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationPromoted::TYPE,
        handle: |state, txn, envelope| {
            async move {
                let RegistrationPromoted(change) = decode(envelope)?;
                registrations::changed(state, txn, &change, Place::Given, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationWaitlisted::TYPE,
        handle: |state, txn, envelope| {
            async move {
                let RegistrationWaitlisted(change) = decode(envelope)?;
                registrations::changed(state, txn, &change, Place::Waiting, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationCancelled::TYPE,
        handle: |state, txn, envelope| {
            async move {
                let RegistrationCancelled(change) = decode(envelope)?;
                registrations::changed(state, txn, &change, Place::Ended, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: RegistrationSnapshot::TYPE,
        handle: |state, txn, envelope| {
            async move {
                registrations::snapshot(state, txn, &decode(envelope)?, envelope.time).await
            }
            .boxed()
        },
    },
    Route {
        event_type: SeasonChanged::TYPE,
        handle: |_, txn, envelope| {
            async move { others::season(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: PathwayEnrolled::TYPE,
        handle: |_, txn, envelope| {
            async move { others::enrolled(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: PathwaySessionAttended::TYPE,
        handle: |_, txn, envelope| {
            async move { others::session(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: PathwayCompleted::TYPE,
        handle: |_, txn, envelope| {
            async move { others::completed(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: TableMeetingHeld::TYPE,
        handle: |_, txn, envelope| {
            async move { others::meeting(txn, &decode(envelope)?, envelope.time).await }.boxed()
        },
    },
    Route {
        event_type: IdeaReceived::TYPE,
        handle: |_, txn, envelope| {
            async move { others::idea_received(txn, &decode(envelope)?, envelope.time).await }
                .boxed()
        },
    },
    Route {
        event_type: IdeaTakenUp::TYPE,
        handle: |_, txn, envelope| {
            async move { others::idea_taken_up(txn, &decode(envelope)?, envelope.time).await }
                .boxed()
        },
    },
];
