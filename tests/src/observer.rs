//! A test's own queue on a deployment's events exchange, recording every message the services
//! publish on the keys it is bound to, so a fault test can count what went over the wire: the
//! same envelope id twice is a redelivery (allowed: transport is at least once), two envelopes
//! answering one request is an effect applied twice (never allowed).

use futures::StreamExt;
use lapin::{
    Connection, ConnectionProperties,
    options::{
        BasicAckOptions, BasicConsumeOptions, QueueBindOptions, QueueDeclareOptions,
        QueueDeleteOptions,
    },
    types::FieldTable,
};
use piazza_shared::Envelope;
use std::sync::{Arc, Mutex};
use tokio::task::JoinHandle;

pub struct Observer {
    connection: Connection,
    queue: String,
    seen: Arc<Mutex<Vec<Envelope>>>,
    task: JoinHandle<()>,
}

impl Observer {
    /// Binds a fresh queue to `<namespace>.events` with `bindings` (topic patterns) on the broker
    /// at `url` and records what arrives from now on.
    pub async fn start(url: &str, namespace: &str, bindings: &[&str]) -> Self {
        let connection = Connection::connect(url, ConnectionProperties::default())
            .await
            .expect("connecting the observer");
        let channel = connection.create_channel().await.expect("observer channel");
        let queue = format!("{namespace}.observer.{}", crate::unique_name());
        channel
            .queue_declare(
                queue.as_str().into(),
                QueueDeclareOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("declaring the observer queue");
        for binding in bindings {
            channel
                .queue_bind(
                    queue.as_str().into(),
                    format!("{namespace}.events").as_str().into(),
                    (*binding).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .expect("binding the observer queue (is the exchange declared yet?)");
        }
        let mut deliveries = channel
            .basic_consume(
                queue.as_str().into(),
                "observer".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .expect("consuming the observer queue");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let task = {
            let seen = seen.clone();
            tokio::spawn(async move {
                while let Some(Ok(delivery)) = deliveries.next().await {
                    if let Ok(envelope) = Envelope::from_bytes(&delivery.data) {
                        seen.lock().expect("observer lock").push(envelope);
                    }
                    let _ = delivery.ack(BasicAckOptions::default()).await;
                }
            })
        };
        Self {
            connection,
            queue,
            seen,
            task,
        }
    }

    /// Every message recorded so far, in arrival order.
    pub fn messages(&self) -> Vec<Envelope> {
        self.seen.lock().expect("observer lock").clone()
    }

    /// Deletes the observer's queue.
    pub async fn stop(self) {
        self.task.abort();
        if let Ok(channel) = self.connection.create_channel().await {
            let _ = channel
                .queue_delete(self.queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        let _ = self.connection.close(200, "done".into()).await;
    }
}
