//! A service's message dispatch table: each message type it consumes, with what handles it. The
//! service's queue bindings are derived from the table ([`bindings`]), so a service is bound to
//! exactly the messages it handles, and every process can declare every service's queue.

use super::HandleError;
use super::handler::MessageHandler;
use crate::envelope::Envelope;
use async_trait::async_trait;
use futures::future::BoxFuture;
use sea_orm::DatabaseTransaction;

/// Handles one message type inside the transaction that records it in the inbox.
pub type Handle<S> = for<'a> fn(
    &'a S,
    &'a DatabaseTransaction,
    &'a Envelope,
) -> BoxFuture<'a, Result<(), HandleError>>;

/// One line of a dispatch table.
pub struct Route<S: 'static> {
    /// The CloudEvents type, `piazza.<aggregate>.<verb>` (`Message::TYPE`).
    pub event_type: &'static str,
    pub handle: Handle<S>,
}

/// The routing keys a queue fed by `routes` is bound to.
pub fn bindings<S>(routes: &[Route<S>]) -> Vec<&'static str> {
    routes
        .iter()
        .map(|route| crate::envelope::routing_key_of(route.event_type))
        .collect()
}

/// A [`MessageHandler`] that looks each message up in a dispatch table.
pub struct Dispatcher<S: 'static> {
    state: S,
    routes: &'static [Route<S>],
    after_commit: Option<fn(&S)>,
}

impl<S: Send + Sync + 'static> Dispatcher<S> {
    pub fn new(state: S, routes: &'static [Route<S>]) -> Self {
        Self {
            state,
            routes,
            after_commit: None,
        }
    }

    /// Runs `wake` after each handled message's transaction committed (to wake a worker, say).
    pub fn after_commit(mut self, wake: fn(&S)) -> Self {
        self.after_commit = Some(wake);
        self
    }
}

#[async_trait]
impl<S: Send + Sync + 'static> MessageHandler for Dispatcher<S> {
    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        envelope: &Envelope,
    ) -> Result<(), HandleError> {
        match self
            .routes
            .iter()
            .find(|route| route.event_type == envelope.event_type)
        {
            Some(route) => (route.handle)(&self.state, txn, envelope).await,
            // Only reachable through a binding added by hand, or a replayed message of another
            // service: nothing to do.
            None => {
                tracing::debug!(event_type = %envelope.event_type, "no route for this message; ignored");
                Ok(())
            }
        }
    }

    fn after_commit(&self, _envelope: &Envelope) {
        if let Some(wake) = self.after_commit {
            wake(&self.state);
        }
    }
}
