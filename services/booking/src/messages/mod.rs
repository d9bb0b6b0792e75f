//! What the booking service does with messages: it answers the scheduler's slot requests and
//! releases slots of events that no longer need them. Each route decodes its message and hands
//! it to its use case in [`crate::ops::slots`].

use crate::{ops::slots, state::AppState};
use futures::FutureExt;
use piazza_shared::{
    Message,
    bus::dispatch::Route,
    contracts::scheduling::{SlotReleased, SlotRequested},
    runtime::decode,
};

/// The messages booking consumes; its queue's bindings are derived from this table.
pub const ROUTES: &[Route<AppState>] = &[
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
];
