//! The message bus: one [`Bus`] trait with a RabbitMQ implementation (the production path) and an
//! in-process one (the embedded mode), plus the transactional outbox that feeds it and the inbox
//! that makes consuming idempotent.
//!
//! Delivery is at least once; the effect is exactly once because every consumer records the
//! message id in its inbox in the same transaction as its effect.

pub mod amqp;
pub mod consumer;
pub mod dead_letters;
pub mod dispatch;
pub mod handler;
pub mod inbox;
pub mod memory;
pub mod outbox;
mod routing;
mod topology;

pub use routing::topic_matches;
pub use topology::{Subscription, Topology};

use crate::envelope::Envelope;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Starts a queue's failure counters at zero when its consumer starts, so the first retry or
/// dead letter is a change a rate or an alert sees (a series that appears at 1 is not).
pub(crate) fn count_from_zero(queue: &str) {
    for name in [
        "piazza_messages_retried_total",
        "piazza_messages_deferred_total",
        "piazza_dead_letters_total",
    ] {
        metrics::counter!(name, "queue" => queue.to_string()).increment(0);
    }
}

/// A message given up on, as the in-process bus hands it to [`Consumer::park`].
#[derive(Debug, Clone)]
pub struct DeadLetter {
    /// The queue it was consumed from.
    pub queue: String,
    pub envelope: Envelope,
    /// Attempts made before giving up.
    pub attempts: u32,
    /// Why the last attempt failed.
    pub reason: String,
    pub parked_at: DateTime<Utc>,
}

/// Why a message could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Worth another try later (a database that is away, a lock timeout).
    #[error("temporary failure: {0:#}")]
    Retry(anyhow::Error),
    /// Will never succeed (a message that breaks its contract): park it at once.
    #[error("permanent failure: {0:#}")]
    Reject(anyhow::Error),
    /// A dependency every message needs (the database) cannot be reached. The message is not at
    /// fault: the bus holds it and tries again after a backoff, without counting an attempt, so
    /// an outage never turns good messages into dead letters.
    #[error("dependency unavailable: {0:#}")]
    Unavailable(anyhow::Error),
}

/// Receives each delivered message; returning `Ok` acknowledges it.
#[async_trait]
pub trait Consumer: Send + Sync {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError>;

    /// Keeps a message the bus gave up on where an administrator can find it (`piazza
    /// dead-letters`). Returns `Ok(false)` when this consumer has no durable place for it; the
    /// in-process bus then keeps it in memory. RabbitMQ parks in its own dead-letter queue and
    /// does not call this.
    async fn park(&self, _dead: &DeadLetter) -> anyhow::Result<bool> {
        Ok(false)
    }
}

/// Errors of the transport itself.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("message broker unavailable: {0}")]
    Unavailable(String),
    #[error("message broker refused the message: {0}")]
    Refused(String),
    /// The broker took the message but no queue was bound to its routing key (a `mandatory`
    /// publish came back). Nothing was delivered; publish it again once the queue exists.
    #[error("no queue takes the message: {0}")]
    Unroutable(String),
    #[error("{0}")]
    Other(String),
}

/// A message bus. Both implementations share the same envelopes, routing keys and guarantees.
#[async_trait]
pub trait Bus: Send + Sync {
    /// Publishes and returns once the bus has taken responsibility for the message (a publisher
    /// confirm on RabbitMQ; every interested consumer done, on the in-process bus).
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError>;

    /// Declares the subscription's queue and bindings, so messages published from now on reach it
    /// even before [`Bus::consume`] runs.
    async fn declare(&self, subscription: &Subscription) -> Result<(), BusError>;

    /// Declares every subscription of `topology` (and the exchanges), before anything is
    /// published.
    async fn declare_topology(&self, topology: &Topology) -> Result<(), BusError> {
        for subscription in topology.subscriptions() {
            self.declare(subscription).await?;
        }
        Ok(())
    }

    /// Consumes the subscription's queue until `shutdown`, then finishes the message in hand.
    async fn consume(
        &self,
        subscription: Subscription,
        consumer: Arc<dyn Consumer>,
        shutdown: CancellationToken,
    ) -> Result<(), BusError>;

    /// Whether the bus is reachable now, for `/readyz`.
    async fn check(&self) -> Result<(), BusError>;

    /// A short name for logs and `/readyz`.
    fn kind(&self) -> &'static str;
}
