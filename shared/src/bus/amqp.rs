//! The RabbitMQ bus through lapin: a durable topic exchange `<ns>.events`, one durable quorum
//! queue per service bound to the keys it handles, a retry queue per service whose messages come
//! back after a delay, and a dead-letter exchange `<ns>.dead` with a parking queue per service.
//! Messages are persistent, publishers wait for confirms, consumers ack after their commit and
//! hold at most `prefetch` unacknowledged messages. Connections that drop are re-opened with
//! backoff and jitter. The administrator's view of the parking queues is in [`dead_queue`].
//!
//! A bus given the [`Topology`] declares every service's queue whenever its publisher connects,
//! and publishes `mandatory` every message some service consumes: a message the broker cannot
//! route comes back ([`BusError::Unroutable`]) instead of being confirmed and dropped, so the
//! outbox keeps it and tries again (by then the publisher has declared the topology afresh).
//!
//! Over 400 lines as one thing: the publisher, the consumer and the topology speak one protocol
//! and share its connection handling; split, each half would need the other's internals.

mod dead_queue;

use super::{Bus, BusError, Consumer, HandleError, Subscription, Topology};
use crate::{envelope::Envelope, retry::backoff, secret::Secret, settings::BusSettings};
use async_trait::async_trait;
use futures::StreamExt;
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
    message::Delivery,
    options::{
        BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicPublishOptions,
        BasicQosOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
        QueueDeclareOptions,
    },
    types::{AMQPValue, FieldTable, LongString, ShortString},
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Header counting how many times a message has been tried.
const ATTEMPTS_HEADER: &str = "x-piazza-attempts";
/// Header on a parked message: why its last attempt failed.
const ERROR_HEADER: &str = "x-piazza-error";
/// Header on a parked message: the routing key it was first published with.
const ORIGINAL_KEY_HEADER: &str = "x-piazza-routing-key";
/// Header on a parked message: when it was parked (RFC 3339).
const PARKED_AT_HEADER: &str = "x-piazza-parked-at";
/// How long to wait for the broker to confirm a publish.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(15);

/// A connection with one channel in confirm mode.
struct Link {
    connection: Connection,
    channel: Channel,
}

impl Link {
    fn is_open(&self) -> bool {
        self.connection.status().connected() && self.channel.status().connected()
    }
}

pub struct AmqpBus {
    url: Secret<String>,
    settings: BusSettings,
    name: String,
    /// Every service's queue: declared when the publisher connects, and what tells whether a
    /// message has a consumer (then it is published `mandatory`).
    topology: Topology,
    publisher: Mutex<Option<Link>>,
}

/// Names of the broker objects for one namespace.
#[derive(Debug, Clone)]
pub struct Names {
    pub events: String,
    pub dead: String,
}

impl Names {
    pub fn new(settings: &BusSettings) -> Self {
        Self {
            events: format!("{}.events", settings.namespace),
            dead: format!("{}.dead", settings.namespace),
        }
    }

    pub fn retry_queue(queue: &str) -> String {
        format!("{queue}.retry")
    }

    pub fn dead_queue(queue: &str) -> String {
        format!("{queue}.dead")
    }
}

fn unavailable(error: impl std::fmt::Display) -> BusError {
    BusError::Unavailable(error.to_string())
}

/// A failed declaration of `queue`: arguments that differ from the existing queue's are a
/// configuration error (every process declares every queue, with its own bus settings), not an
/// unavailable broker.
fn declare_failed(queue: &str, error: impl std::fmt::Display) -> BusError {
    let text = error.to_string();
    if text.contains("PRECONDITION_FAILED") {
        BusError::Other(format!(
            "declaring queue {queue}: {text} (every service declares every queue: \
             bus.max_attempts and bus.retry_delay_ms must be the same for all of them)"
        ))
    } else {
        unavailable(format!("declaring queue {queue}: {text}"))
    }
}

fn long(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value.to_string()))
}

impl AmqpBus {
    /// A bus for `url`; `name` labels its connections in the broker's management view. Without
    /// [`AmqpBus::with_topology`] it declares only what it consumes and publishes nothing
    /// `mandatory` (a test's tap, an administrator's tool).
    pub fn new(url: Secret<String>, settings: BusSettings, name: &str) -> Self {
        Self {
            url,
            settings,
            name: name.to_string(),
            topology: Topology::default(),
            publisher: Mutex::new(None),
        }
    }

    /// The whole topology, declared with the publisher's connection and read to publish every
    /// consumed message `mandatory`.
    pub fn with_topology(mut self, topology: Topology) -> Self {
        self.topology = topology;
        self
    }

    fn names(&self) -> Names {
        Names::new(&self.settings)
    }

    /// A connection and a channel in confirm mode, declaring nothing.
    async fn open(&self, purpose: &str) -> Result<Link, BusError> {
        let properties = ConnectionProperties::default()
            .with_connection_name(format!("piazza-{}-{purpose}", self.name).into());
        let connection = tokio::time::timeout(
            Duration::from_secs(10),
            Connection::connect(self.url.expose(), properties),
        )
        .await
        .map_err(|_| unavailable("timed out connecting to RabbitMQ"))?
        .map_err(unavailable)?;
        let channel = connection.create_channel().await.map_err(unavailable)?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(unavailable)?;
        Ok(Link {
            connection,
            channel,
        })
    }

    /// [`AmqpBus::open`], then the exchanges declared.
    async fn connect(&self, purpose: &str) -> Result<Link, BusError> {
        let Link {
            connection,
            channel,
        } = self.open(purpose).await?;
        let names = self.names();
        for exchange in [&names.events, &names.dead] {
            channel
                .exchange_declare(
                    exchange.as_str().into(),
                    ExchangeKind::Topic,
                    ExchangeDeclareOptions {
                        durable: true,
                        ..Default::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(unavailable)?;
        }
        Ok(Link {
            connection,
            channel,
        })
    }

    /// The publisher's connection: [`AmqpBus::connect`], then every queue of the topology.
    async fn connect_publisher(&self) -> Result<Link, BusError> {
        let link = self.connect("publish").await?;
        for subscription in self.topology.subscriptions() {
            if let Err(error) = self.declare_on(&link.channel, subscription).await {
                let _ = link.connection.close(200, "declaring failed".into()).await;
                return Err(error);
            }
        }
        Ok(link)
    }

    async fn declare_on(
        &self,
        channel: &Channel,
        subscription: &Subscription,
    ) -> Result<(), BusError> {
        let names = self.names();
        let queue = subscription.queue.as_str();
        let durable = QueueDeclareOptions {
            durable: true,
            ..Default::default()
        };

        let mut main = FieldTable::default();
        main.insert("x-queue-type".into(), long("quorum"));
        main.insert("x-dead-letter-exchange".into(), long(&names.dead));
        main.insert("x-dead-letter-routing-key".into(), long(queue));
        main.insert("x-dead-letter-strategy".into(), long("at-least-once"));
        main.insert("x-overflow".into(), long("reject-publish"));
        // A safety net for messages that crash the consumer before it can count attempts.
        let limit = i64::from(self.settings.max_attempts.saturating_mul(2).max(10));
        main.insert("x-delivery-limit".into(), AMQPValue::LongLongInt(limit));
        channel
            .queue_declare(queue.into(), durable, main)
            .await
            .map_err(|e| declare_failed(queue, e))?;
        for key in &subscription.bindings {
            channel
                .queue_bind(
                    queue.into(),
                    names.events.as_str().into(),
                    (*key).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(unavailable)?;
        }

        // Failed messages wait here, then expire back into the main queue.
        let mut retry = FieldTable::default();
        retry.insert("x-queue-type".into(), long("classic"));
        let delay = i64::try_from(self.settings.retry_delay_ms).unwrap_or(i64::MAX);
        retry.insert("x-message-ttl".into(), AMQPValue::LongLongInt(delay));
        retry.insert("x-dead-letter-exchange".into(), long(""));
        retry.insert("x-dead-letter-routing-key".into(), long(queue));
        let retry_queue = Names::retry_queue(queue);
        channel
            .queue_declare(retry_queue.as_str().into(), durable, retry)
            .await
            .map_err(|e| declare_failed(&retry_queue, e))?;

        let mut dead = FieldTable::default();
        dead.insert("x-queue-type".into(), long("quorum"));
        let dead_queue = Names::dead_queue(queue);
        channel
            .queue_declare(dead_queue.as_str().into(), durable, dead)
            .await
            .map_err(|e| declare_failed(&dead_queue, e))?;
        channel
            .queue_bind(
                dead_queue.as_str().into(),
                names.dead.as_str().into(),
                queue.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Publishes and waits for the broker's confirm. `mandatory`: a message no queue takes comes
    /// back as [`BusError::Unroutable`] rather than being confirmed and dropped.
    async fn publish_on(
        channel: &Channel,
        exchange: &str,
        routing_key: &str,
        envelope_bytes: &[u8],
        properties: BasicProperties,
        mandatory: bool,
    ) -> Result<(), BusError> {
        let confirm = channel
            .basic_publish(
                exchange.into(),
                routing_key.into(),
                BasicPublishOptions {
                    mandatory,
                    ..Default::default()
                },
                envelope_bytes,
                properties,
            )
            .await
            .map_err(unavailable)?;
        let confirmation = tokio::time::timeout(CONFIRM_TIMEOUT, confirm)
            .await
            .map_err(|_| unavailable("no publisher confirm in time"))?
            .map_err(unavailable)?;
        match confirmation {
            Confirmation::Ack(Some(returned)) => Err(BusError::Unroutable(format!(
                "{exchange}/{routing_key}: {} {}",
                returned.reply_code, returned.reply_text
            ))),
            Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
            Confirmation::Nack(_) => Err(BusError::Refused(format!(
                "broker nacked a message for {exchange}/{routing_key}"
            ))),
        }
    }

    fn properties(envelope: &Envelope, headers: FieldTable) -> BasicProperties {
        let mut properties = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/cloudevents+json".into())
            .with_message_id(envelope.id.to_string().into())
            .with_type(envelope.event_type.as_str().into())
            .with_timestamp(u64::try_from(envelope.time.timestamp()).unwrap_or_default())
            .with_headers(headers);
        if let Some(correlation) = &envelope.correlationid {
            properties = properties.with_correlation_id(correlation.as_str().into());
        }
        properties
    }

    /// Handles one delivery: ack after success, a delayed retry or a parked dead letter after
    /// failure. While a dependency is unavailable the delivery is held and tried again after a
    /// backoff; a shutdown meanwhile leaves it unacknowledged, so the broker hands it out again.
    async fn process(
        &self,
        subscription: &Subscription,
        consumer: &dyn Consumer,
        side: &Channel,
        delivery: Delivery,
        shutdown: &CancellationToken,
    ) -> Result<(), BusError> {
        let queue = subscription.queue.as_str();
        let headers = delivery.properties.headers().clone().unwrap_or_default();
        let attempts = attempts_of(&headers);
        let envelope = Envelope::from_bytes(&delivery.data);
        let mut outages: u32 = 0;
        let outcome = loop {
            let outcome = match &envelope {
                Ok(envelope) => consumer.consume(envelope.clone()).await,
                Err(e) => Err(HandleError::Reject(anyhow::anyhow!(
                    "not a CloudEvents JSON envelope: {e}"
                ))),
            };
            let Err(HandleError::Unavailable(e)) = outcome else {
                break outcome;
            };
            outages = outages.saturating_add(1);
            metrics::counter!("piazza_messages_deferred_total", "queue" => queue.to_string())
                .increment(1);
            let delay = backoff(outages);
            tracing::warn!(queue, error = %format!("{e:#}"), retry_in_ms = delay.as_millis() as u64, "a dependency is unavailable; holding the message");
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shutdown.cancelled() => return Ok(()),
            }
        };
        let reason = match outcome {
            Ok(()) => {
                delivery
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(unavailable)?;
                return Ok(());
            }
            Err(HandleError::Retry(e)) if attempts < self.settings.max_attempts => {
                tracing::warn!(queue, attempts, error = %format!("{e:#}"), "message failed; retrying after a delay");
                metrics::counter!("piazza_messages_retried_total", "queue" => queue.to_string())
                    .increment(1);
                let mut next = headers.clone();
                next.insert(
                    ATTEMPTS_HEADER.into(),
                    AMQPValue::LongLongInt(i64::from(attempts + 1)),
                );
                let properties = delivery.properties.clone().with_headers(next);
                // Mandatory: a retry queue that is missing must not swallow the message.
                Self::publish_on(
                    side,
                    "",
                    &Names::retry_queue(queue),
                    &delivery.data,
                    properties,
                    true,
                )
                .await?;
                delivery
                    .ack(BasicAckOptions::default())
                    .await
                    .map_err(unavailable)?;
                return Ok(());
            }
            Err(HandleError::Retry(e))
            | Err(HandleError::Reject(e))
            | Err(HandleError::Unavailable(e)) => format!("{e:#}"),
        };
        tracing::error!(queue, attempts, %reason, "message parked as a dead letter");
        metrics::counter!("piazza_dead_letters_total", "queue" => queue.to_string()).increment(1);
        let mut parked = headers;
        parked.insert(ERROR_HEADER.into(), long(&reason));
        parked.insert(
            ATTEMPTS_HEADER.into(),
            AMQPValue::LongLongInt(i64::from(attempts)),
        );
        parked.insert(
            ORIGINAL_KEY_HEADER.into(),
            long(delivery.routing_key.as_str()),
        );
        parked.insert(
            PARKED_AT_HEADER.into(),
            long(&crate::clock::now().to_rfc3339()),
        );
        let properties = delivery.properties.clone().with_headers(parked);
        let names = self.names();
        Self::publish_on(side, &names.dead, queue, &delivery.data, properties, true).await?;
        delivery
            .ack(BasicAckOptions::default())
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// One connected session of consuming; returns `Ok` only on shutdown.
    async fn consume_session(
        &self,
        subscription: &Subscription,
        consumer: &dyn Consumer,
        shutdown: &CancellationToken,
        connected: &mut bool,
    ) -> Result<(), BusError> {
        let link = self
            .connect(&format!("consume-{}", subscription.service))
            .await?;
        self.declare_on(&link.channel, subscription).await?;
        // Deliveries arrive on their own channel; retries and parking go out on the confirmed one.
        let channel = link
            .connection
            .create_channel()
            .await
            .map_err(unavailable)?;
        channel
            .basic_qos(self.settings.prefetch, BasicQosOptions::default())
            .await
            .map_err(unavailable)?;
        let tag = format!("{}-{}", subscription.queue, uuid::Uuid::now_v7());
        let mut stream = channel
            .basic_consume(
                subscription.queue.as_str().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(unavailable)?;
        *connected = true;
        tracing::info!(queue = %subscription.queue, "consuming");
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => {
                    let _ = channel.basic_cancel(ShortString::from(tag.clone()), BasicCancelOptions::default()).await;
                    // Closing returns deliveries prefetched but not handled to the queue.
                    let _ = link.connection.close(200, "shutdown".into()).await;
                    return Ok(());
                }
                next = stream.next() => match next {
                    Some(Ok(delivery)) => {
                        self.process(subscription, consumer, &link.channel, delivery, shutdown).await?;
                    }
                    Some(Err(e)) => return Err(unavailable(e)),
                    None => return Err(unavailable("the broker cancelled the consumer")),
                }
            }
        }
    }
}

fn attempts_of(headers: &FieldTable) -> u32 {
    let value = headers
        .inner()
        .iter()
        .find(|(k, _)| k.as_str() == ATTEMPTS_HEADER)
        .map(|(_, v)| v);
    match value {
        Some(AMQPValue::LongLongInt(n)) => u32::try_from(*n).unwrap_or(u32::MAX),
        Some(AMQPValue::LongInt(n)) => u32::try_from(*n).unwrap_or(u32::MAX),
        Some(AMQPValue::LongUInt(n)) => *n,
        _ => 1,
    }
}

#[async_trait]
impl Bus for AmqpBus {
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        let mut guard = self.publisher.lock().await;
        if !guard.as_ref().is_some_and(Link::is_open) {
            *guard = Some(self.connect_publisher().await?);
        }
        let Some(link) = guard.as_ref() else {
            return Err(unavailable("no connection"));
        };
        let mut headers = FieldTable::default();
        headers.insert(ATTEMPTS_HEADER.into(), AMQPValue::LongLongInt(1));
        // A message nobody consumes (yet) has nobody to be kept for: it is published as before.
        let mandatory = self.topology.consumed(envelope.routing_key());
        let result = Self::publish_on(
            &link.channel,
            &self.names().events,
            envelope.routing_key(),
            &envelope.to_bytes(),
            Self::properties(envelope, headers),
            mandatory,
        )
        .await;
        if result.is_err() {
            // Start from a fresh connection next time; it declares the topology again, so a
            // queue deleted under a running publisher comes back before the message is retried.
            if let Some(link) = guard.take() {
                let _ = link.connection.close(200, "reset".into()).await;
            }
        }
        result
    }

    async fn declare(&self, subscription: &Subscription) -> Result<(), BusError> {
        let link = self
            .connect(&format!("declare-{}", subscription.service))
            .await?;
        let result = self.declare_on(&link.channel, subscription).await;
        let _ = link.connection.close(200, "declared".into()).await;
        result
    }

    #[tracing::instrument(name = "amqp_consumer", skip_all, fields(queue = %subscription.queue))]
    async fn consume(
        &self,
        subscription: Subscription,
        consumer: Arc<dyn Consumer>,
        shutdown: CancellationToken,
    ) -> Result<(), BusError> {
        super::count_from_zero(&subscription.queue);
        metrics::counter!("piazza_bus_reconnects_total", "queue" => subscription.queue.clone())
            .increment(0);
        let mut failures: u32 = 0;
        while !shutdown.is_cancelled() {
            let mut connected = false;
            match self
                .consume_session(&subscription, consumer.as_ref(), &shutdown, &mut connected)
                .await
            {
                Ok(()) => break,
                Err(error) => {
                    failures = if connected {
                        1
                    } else {
                        failures.saturating_add(1)
                    };
                    let delay = backoff(failures);
                    metrics::counter!("piazza_bus_reconnects_total", "queue" => subscription.queue.clone()).increment(1);
                    tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "consumer lost the broker; reconnecting");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.cancelled() => break,
                    }
                }
            }
        }
        Ok(())
    }

    async fn declare_topology(&self, topology: &Topology) -> Result<(), BusError> {
        let link = self.connect("declare").await?;
        let mut result = Ok(());
        for subscription in topology.subscriptions() {
            result = self.declare_on(&link.channel, subscription).await;
            if result.is_err() {
                break;
            }
        }
        let _ = link.connection.close(200, "declared".into()).await;
        result
    }

    async fn check(&self) -> Result<(), BusError> {
        let mut guard = self.publisher.lock().await;
        if !guard.as_ref().is_some_and(Link::is_open) {
            *guard = Some(self.connect_publisher().await?);
        }
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "rabbitmq"
    }
}
