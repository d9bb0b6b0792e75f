//! What became of each claimed email in a round, and of the round.

use crate::email::SendError;

/// What happened to one delivery.
#[derive(Debug)]
pub(super) enum Outcome {
    Sent,
    /// Sent, and already marked sent.
    Recorded,
    Skipped(String),
    Failed(SendError),
    /// Not tried: the server was found unavailable, or a sent email could not be recorded,
    /// earlier in the round.
    Deferred,
    /// Not tried: this sender's lease no longer holds, so the row may be another's by now.
    Released,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RoundReport {
    /// Rows claimed.
    pub handled: usize,
    /// Whether the mail server could not be reached.
    pub unavailable: bool,
}
