//! The in-process bus of the embedded mode. It routes like RabbitMQ's topic exchange, and
//! `publish` returns only when every interested consumer has committed its effect (or parked the
//! message), so the publishing service's outbox row is deleted only then: a process restart
//! loses nothing, because unconfirmed rows are published again.
//!
//! A message that fails goes back into its queue after `retry_delay_ms`, so the consumer carries
//! on with the messages of other publishers meanwhile; after `max_attempts` it is parked through
//! [`Consumer::park`] (services keep it in their `dead_letters` table). Its own publisher waits for
//! it, so that service's later messages follow it, at most `max_attempts × retry_delay_ms` later.

use super::{Bus, BusError, Consumer, HandleError, Subscription};
use crate::{envelope::Envelope, retry::backoff, settings::BusSettings};
use async_trait::async_trait;
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

pub use super::DeadLetter;

struct Delivery {
    envelope: Envelope,
    /// Answered once the message is handled or parked; dropped unanswered when it is neither,
    /// which tells the publisher to keep its outbox row.
    done: oneshot::Sender<()>,
    /// This delivery's attempt, from 1.
    attempt: u32,
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

    /// Makes one attempt at `delivery`: done, sent back into the queue for a later attempt,
    /// or parked. While a dependency is unavailable it holds the delivery and tries again after
    /// a backoff, without counting attempts (every message would fail the same way).
    async fn handle(
        &self,
        queue: &str,
        requeue: &mpsc::Sender<Delivery>,
        consumer: &dyn Consumer,
        delivery: Delivery,
        shutdown: &CancellationToken,
    ) {
        let mut outages: u32 = 0;
        let reason = loop {
            match consumer.consume(delivery.envelope.clone()).await {
                Ok(()) => {
                    let _ = delivery.done.send(());
                    return;
                }
                Err(HandleError::Unavailable(e)) => {
                    outages = outages.saturating_add(1);
                    metrics::counter!("piazza_messages_deferred_total", "queue" => queue.to_string()).increment(1);
                    let delay = backoff(outages);
                    tracing::warn!(message_id = %delivery.envelope.id, error = %format!("{e:#}"), retry_in_ms = delay.as_millis() as u64, "a dependency is unavailable; holding the message");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        // Unfinished: the publisher keeps its outbox row and sends it again later.
                        _ = shutdown.cancelled() => return,
                    }
                }
                Err(HandleError::Retry(e)) if delivery.attempt < self.settings.max_attempts => {
                    metrics::counter!("piazza_messages_retried_total", "queue" => queue.to_string()).increment(1);
                    tracing::warn!(message_id = %delivery.envelope.id, attempt = delivery.attempt, error = %format!("{e:#}"), "message failed; retrying after a delay");
                    let delay = Duration::from_millis(self.settings.retry_delay_ms);
                    let requeue = requeue.clone();
                    let next = Delivery {
                        attempt: delivery.attempt + 1,
                        ..delivery
                    };
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        // A stopped consumer drops it, and the publisher sends it again later.
                        let _ = requeue.send(next).await;
                    });
                    return;
                }
                Err(HandleError::Retry(e)) | Err(HandleError::Reject(e)) => break format!("{e:#}"),
            }
        };
        let dead = DeadLetter {
            queue: queue.to_string(),
            envelope: delivery.envelope,
            attempts: delivery.attempt,
            reason,
            parked_at: crate::clock::now(),
        };
        tracing::error!(message_id = %dead.envelope.id, event_type = %dead.envelope.event_type, attempts = dead.attempts, reason = %dead.reason, "message parked as a dead letter");
        match consumer.park(&dead).await {
            Ok(true) => {}
            Ok(false) => self.dead.lock().await.push(dead),
            Err(error) => {
                // Unanswered: the publisher keeps its outbox row and sends the message again.
                tracing::error!(error = %format!("{error:#}"), "could not store the dead letter; its publisher will send it again");
                return;
            }
        }
        metrics::counter!("piazza_dead_letters_total", "queue" => queue.to_string()).increment(1);
        let _ = delivery.done.send(());
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
                    attempt: 1,
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
        super::count_from_zero(&subscription.queue);
        let (requeue, mut receiver) = {
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
            let receiver = if queue.sender.is_closed() {
                // A consumer ran before and stopped: open a fresh channel.
                let (sender, receiver) = mpsc::channel(usize::from(self.settings.prefetch));
                queue.sender = sender;
                receiver
            } else {
                receiver
            };
            (queue.sender.clone(), receiver)
        };
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                delivery = receiver.recv() => {
                    let Some(delivery) = delivery else { break };
                    self.handle(&subscription.queue, &requeue, consumer.as_ref(), delivery, &shutdown).await;
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
