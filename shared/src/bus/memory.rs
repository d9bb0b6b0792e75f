//! The in-process bus of the embedded mode. It routes like RabbitMQ's topic exchange, and
//! `publish` returns only when every interested consumer has committed its effect (or parked the
//! message), so the publishing service's outbox row is deleted only then: a process restart
//! loses nothing, because unconfirmed rows are published again.

use super::{Bus, BusError, Consumer, HandleError, Subscription};
use crate::{envelope::Envelope, runtime::backoff, settings::BusSettings};
use async_trait::async_trait;
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

pub use super::DeadLetter;

struct Delivery {
    envelope: Envelope,
    done: oneshot::Sender<()>,
}

struct Queue {
    bindings: Vec<&'static str>,
    sender: mpsc::Sender<Delivery>,
    /// Taken by the running consumer; given back when it stops.
    receiver: Option<mpsc::Receiver<Delivery>>,
}

pub struct MemoryBus {
    settings: BusSettings,
    queues: Mutex<HashMap<String, Queue>>,
    dead: Mutex<Vec<DeadLetter>>,
}

impl MemoryBus {
    pub fn new(settings: BusSettings) -> Self {
        Self {
            settings,
            queues: Mutex::new(HashMap::new()),
            dead: Mutex::new(Vec::new()),
        }
    }

    /// Messages parked after their last attempt by consumers with no table to keep them in
    /// (services keep theirs in their `dead_letters` table).
    pub async fn dead_letters(&self) -> Vec<DeadLetter> {
        self.dead.lock().await.clone()
    }

    /// Handles one message to the end: done, or parked after its last attempt. Returns `false`
    /// when it stays unfinished (shutdown, or nowhere to park it): the publisher then keeps its
    /// outbox row and sends it again later, so nothing is lost.
    async fn handle(
        &self,
        queue: &str,
        consumer: &dyn Consumer,
        envelope: Envelope,
        shutdown: &CancellationToken,
    ) -> bool {
        let mut attempt = 1;
        let mut outages: u32 = 0;
        let reason = loop {
            let delay = match consumer.consume(envelope.clone()).await {
                Ok(()) => return true,
                Err(HandleError::Reject(e)) => break format!("{e:#}"),
                Err(HandleError::Retry(e)) if attempt >= self.settings.max_attempts => {
                    break format!("{e:#}");
                }
                Err(HandleError::Retry(e)) => {
                    metrics::counter!("piazza_messages_retried_total", "queue" => queue.to_string()).increment(1);
                    tracing::warn!(message_id = %envelope.id, attempt, error = %format!("{e:#}"), "message failed; retrying after a delay");
                    attempt += 1;
                    Duration::from_millis(self.settings.retry_delay_ms)
                }
                Err(HandleError::Unavailable(e)) => {
                    // Not the message's fault: wait for the dependency without using up attempts.
                    outages = outages.saturating_add(1);
                    metrics::counter!("piazza_messages_deferred_total", "queue" => queue.to_string()).increment(1);
                    let delay = backoff(outages);
                    tracing::warn!(message_id = %envelope.id, error = %format!("{e:#}"), retry_in_ms = delay.as_millis() as u64, "a dependency is unavailable; holding the message");
                    delay
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                // Unfinished: the publisher keeps its outbox row and sends it again later.
                _ = shutdown.cancelled() => return false,
            }
        };
        let dead = DeadLetter {
            queue: queue.to_string(),
            envelope,
            attempts: attempt,
            reason,
            parked_at: chrono::Utc::now(),
        };
        tracing::error!(message_id = %dead.envelope.id, event_type = %dead.envelope.event_type, attempts = dead.attempts, reason = %dead.reason, "message parked as a dead letter");
        match consumer.park(&dead).await {
            Ok(true) => {}
            Ok(false) => self.dead.lock().await.push(dead),
            Err(error) => {
                tracing::error!(message_id = %dead.envelope.id, error = %format!("{error:#}"), "could not store the dead letter; its publisher will send it again");
                return false;
            }
        }
        metrics::counter!("piazza_dead_letters_total", "queue" => queue.to_string()).increment(1);
        true
    }
}

#[async_trait]
impl Bus for MemoryBus {
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        let senders: Vec<mpsc::Sender<Delivery>> = {
            let queues = self.queues.lock().await;
            queues
                .values()
                .filter(|q| {
                    q.bindings
                        .iter()
                        .any(|b| super::topic_matches(b, envelope.routing_key()))
                })
                .map(|q| q.sender.clone())
                .collect()
        };
        let mut pending = Vec::with_capacity(senders.len());
        for sender in senders {
            let (done, finished) = oneshot::channel();
            sender
                .send(Delivery {
                    envelope: envelope.clone(),
                    done,
                })
                .await
                .map_err(|_| BusError::Unavailable("consumer stopped".into()))?;
            pending.push(finished);
        }
        for finished in pending {
            finished
                .await
                .map_err(|_| BusError::Unavailable("consumer stopped before finishing".into()))?;
        }
        Ok(())
    }

    async fn declare(&self, subscription: &Subscription) -> Result<(), BusError> {
        let mut queues = self.queues.lock().await;
        queues.entry(subscription.queue.clone()).or_insert_with(|| {
            let (sender, receiver) = mpsc::channel(usize::from(self.settings.prefetch));
            Queue {
                bindings: subscription.bindings.clone(),
                sender,
                receiver: Some(receiver),
            }
        });
        Ok(())
    }

    async fn consume(
        &self,
        subscription: Subscription,
        consumer: Arc<dyn Consumer>,
        shutdown: CancellationToken,
    ) -> Result<(), BusError> {
        self.declare(&subscription).await?;
        let mut receiver = {
            let mut queues = self.queues.lock().await;
            let queue = queues
                .get_mut(&subscription.queue)
                .ok_or_else(|| BusError::Other(format!("queue {} vanished", subscription.queue)))?;
            let receiver = queue.receiver.take().ok_or_else(|| {
                BusError::Other(format!(
                    "queue {} already has a consumer",
                    subscription.queue
                ))
            })?;
            if queue.sender.is_closed() {
                // A consumer ran before and stopped: open a fresh channel.
                let (sender, receiver) = mpsc::channel(usize::from(self.settings.prefetch));
                queue.sender = sender;
                receiver
            } else {
                receiver
            }
        };
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                delivery = receiver.recv() => {
                    let Some(delivery) = delivery else { break };
                    if self.handle(&subscription.queue, consumer.as_ref(), delivery.envelope, &shutdown).await {
                        let _ = delivery.done.send(());
                    }
                }
            }
        }
        // Refuse new deliveries and drop the waiting ones: their publishers see an error and keep
        // the messages in their outboxes, to send again to the next consumer.
        receiver.close();
        while receiver.try_recv().is_ok() {}
        if let Some(queue) = self.queues.lock().await.get_mut(&subscription.queue) {
            queue.receiver = Some(receiver);
        }
        Ok(())
    }

    async fn check(&self) -> Result<(), BusError> {
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "in-process"
    }
}
