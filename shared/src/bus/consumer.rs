//! The consumer every service's queue is read by: the service's handler inside one transaction
//! with the inbox record, so a message delivered twice takes effect once; what the bus gives up
//! on is kept in the service's `dead_letters` table. Each message is handled in the context it
//! carries (the request id and trace of whoever sent it, a span of its own, see
//! [`crate::trace`]), so its log lines name the request that started the flow and the messages
//! it publishes carry the same context on.

use super::{
    Consumer, DeadLetter, HandleError, dead_letters, handler::MessageHandler, inbox, outbox::Outbox,
};
use crate::{db::Db, envelope::Envelope};
use async_trait::async_trait;
use std::sync::Arc;

/// Applies the inbox around a service's handler.
pub struct TransactionalConsumer {
    pub service: &'static str,
    pub db: Db,
    pub outbox: Outbox,
    pub handler: Arc<dyn MessageHandler>,
}

#[async_trait]
impl Consumer for TransactionalConsumer {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        use tracing::Instrument;
        let started = std::time::Instant::now();
        let request_id = envelope
            .requestid
            .clone()
            .filter(|id| crate::trace::is_valid_request_id(id));
        let span = tracing::info_span!(
            "handle_message",
            request_id = request_id.as_deref().unwrap_or(""),
            trace_id = tracing::field::Empty,
            service = self.service,
            message_id = %envelope.id,
            event_type = %envelope.event_type,
            correlation_id = envelope.correlationid.as_deref().unwrap_or(""),
        );
        let parent = envelope
            .traceparent
            .as_deref()
            .and_then(crate::trace::TraceParent::parse);
        let context = crate::trace::Context {
            request_id,
            trace: crate::telemetry::start_trace(&span, parent),
        };
        let work = async {
            let txn = self.db.begin().await?;
            if !inbox::claim(&*txn, &envelope).await? {
                txn.commit().await?;
                metrics::counter!("piazza_messages_duplicate_total", "service" => self.service)
                    .increment(1);
                tracing::debug!("already handled; skipped");
                return Ok(());
            }
            self.handler.handle(&txn, &envelope).await?;
            txn.commit().await?;
            metrics::counter!(
                "piazza_messages_handled_total",
                "service" => self.service,
                "type" => envelope.event_type.clone()
            )
            .increment(1);
            self.outbox.wake();
            self.handler.after_commit(&envelope);
            let elapsed = started.elapsed();
            metrics::histogram!(
                "piazza_message_handling_duration_seconds",
                "service" => self.service,
                "type" => envelope.event_type.clone()
            )
            .record(elapsed.as_secs_f64());
            // The access log of the bus: one line per message a service applied.
            tracing::info!(
                duration_ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
                "message handled"
            );
            Ok(())
        };
        crate::trace::scope(context, work.instrument(span)).await
    }

    /// Keeps the message in the service's `dead_letters` table.
    async fn park(&self, dead: &DeadLetter) -> anyhow::Result<bool> {
        let txn = self.db.begin().await?;
        dead_letters::park(&*txn, dead).await?;
        txn.commit().await?;
        Ok(true)
    }
}
