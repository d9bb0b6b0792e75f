//! What the booking service does with messages: it answers the scheduler's slot requests and
//! releases slots of events that no longer need them.

mod slots;

use crate::state::AppState;
use futures::FutureExt;
use piazza_shared::{
    Message,
    bus::dispatch::Route,
    contracts::scheduling::{SlotReleased, SlotRequested},
};

/// The messages booking consumes; its queue's bindings are derived from this table.
pub const ROUTES: &[Route<AppState>] = &[
    Route {
        event_type: SlotRequested::TYPE,
        handle: |state, txn, envelope| slots::requested(state, txn, envelope).boxed(),
    },
    Route {
        event_type: SlotReleased::TYPE,
        handle: |state, txn, envelope| slots::released(state, txn, envelope).boxed(),
    },
];
