//! What the scheduler does with messages: it keeps its read models of spaces and of the
//! operators' bookings, follows booking's answers to its slot requests, and answers a reader's
//! request for a resync of what it owns ([`crate::ops::resync::requested`]).

mod booked;
mod bookings;
mod spaces;

use crate::state::AppState;
use futures::FutureExt;
use piazza_shared::{
    Message,
    bus::dispatch::Route,
    contracts::{
        booking::{BookingApproved, BookingCancelled, BookingRejected, BookingRequested},
        resync::{BookingSnapshot, ResyncRequested},
        space::{SpaceCreated, SpaceUpdated},
    },
    runtime::decode,
};

/// The messages the scheduler consumes; its queue's bindings are derived from this table.
pub const ROUTES: &[Route<AppState>] = &[
    Route {
        event_type: ResyncRequested::TYPE,
        handle: |state, txn, envelope| {
            async move { crate::ops::resync::requested(state, txn, &decode(envelope)?).await }
                .boxed()
        },
    },
    Route {
        event_type: SpaceCreated::TYPE,
        handle: |_, txn, envelope| {
            async move { spaces::upsert(txn, &decode::<SpaceCreated>(envelope)?.space).await }
                .boxed()
        },
    },
    Route {
        event_type: SpaceUpdated::TYPE,
        handle: |_, txn, envelope| {
            async move { spaces::upsert(txn, &decode::<SpaceUpdated>(envelope)?.space).await }
                .boxed()
        },
    },
    Route {
        event_type: BookingRequested::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let correlation = envelope.correlationid.as_deref();
                let message = decode::<BookingRequested>(envelope)?;
                booked::heard(txn, &message.booking, "requested").await?;
                bookings::requested(txn, &message, correlation).await
            }
            .boxed()
        },
    },
    Route {
        event_type: BookingApproved::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let correlation = envelope.correlationid.as_deref();
                let message = decode::<BookingApproved>(envelope)?;
                booked::heard(txn, &message.booking, "approved").await?;
                bookings::approved(txn, &message, correlation).await
            }
            .boxed()
        },
    },
    Route {
        event_type: BookingRejected::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let correlation = envelope.correlationid.as_deref();
                let message = decode::<BookingRejected>(envelope)?;
                booked::rejected(txn, &message).await?;
                bookings::rejected(txn, &message, correlation).await
            }
            .boxed()
        },
    },
    Route {
        event_type: BookingSnapshot::TYPE,
        handle: |_, txn, envelope| {
            async move { booked::snapshot(txn, &decode::<BookingSnapshot>(envelope)?).await }
                .boxed()
        },
    },
    Route {
        event_type: BookingCancelled::TYPE,
        handle: |_, txn, envelope| {
            async move {
                let correlation = envelope.correlationid.as_deref();
                let message = decode::<BookingCancelled>(envelope)?;
                booked::heard(txn, &message.booking, "cancelled").await?;
                bookings::cancelled(txn, &message, correlation).await
            }
            .boxed()
        },
    },
];
