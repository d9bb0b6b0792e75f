//! What the booking service does with messages: it answers the scheduler's slot requests and
//! releases slots of events that no longer need them ([`crate::ops::slots`]), and it says who
//! hears of a booking request (its own message), a proposal or a call ([`crate::ops::notices`]);
//! and it sends the bookings again to a service that asks for a resync ([`crate::ops::resync`]).
//! Each route decodes its message and hands it to its use case.

use crate::{
    ops::{notices, resync, slots},
    state::AppState,
};
use futures::FutureExt;
use piazza_shared::{
    Message,
    bus::dispatch::Route,
    contracts::{
        booking::BookingRequested,
        call::{CallOpened, ProposalSubmitted},
        resync::ResyncRequested,
        scheduling::{SlotReleased, SlotRequested},
    },
    runtime::decode,
};

/// The messages booking consumes; its queue's bindings are derived from this table.
pub const ROUTES: &[Route<AppState>] = &[
    Route {
        event_type: ResyncRequested::TYPE,
        handle: |state, txn, envelope| {
            async move { resync::requested(state, txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: SlotRequested::TYPE,
        handle: |state, txn, envelope| {
            async move {
                let request: SlotRequested = decode(envelope)?;
                slots::requested(state, txn, &request, envelope.correlationid.clone()).await
            }
            .boxed()
        },
    },
    Route {
        event_type: SlotReleased::TYPE,
        handle: |state, txn, envelope| {
            async move {
                let release: SlotReleased = decode(envelope)?;
                slots::released(state, txn, &release, envelope.correlationid.clone()).await
            }
            .boxed()
        },
    },
    Route {
        event_type: BookingRequested::TYPE,
        handle: |state, txn, envelope| {
            async move { notices::booking_requested(state, txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: ProposalSubmitted::TYPE,
        handle: |state, txn, envelope| {
            async move { notices::proposal_submitted(state, txn, &decode(envelope)?).await }.boxed()
        },
    },
    Route {
        event_type: CallOpened::TYPE,
        handle: |state, txn, envelope| {
            async move { notices::call_opened(state, txn, &decode(envelope)?).await }.boxed()
        },
    },
];
