//! The transactional outbox: a service writes the messages a change causes into its own `outbox`
//! table in the same transaction as the change; the [`Relay`] publishes them afterwards and
//! deletes what the bus confirmed. A crash between commit and publish only delays a message.
//! A message the broker could not route to any queue (published `mandatory`, returned) is not
//! confirmed: it stays, and is tried again with backoff until its queue exists.

use super::{Bus, BusError};
use crate::{
    db::Db,
    envelope::{Envelope, Message},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::LockBehavior, sea_query::LockType,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The `outbox` table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        /// Publication order.
        #[sea_orm(primary_key)]
        pub seq: i64,
        pub message_id: Uuid,
        pub event_type: String,
        /// The whole CloudEvents envelope as JSON.
        pub payload: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Writes messages into a service's outbox and wakes its relay.
#[derive(Clone, Debug)]
pub struct Outbox {
    service: &'static str,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(service: &'static str) -> Self {
        Self {
            service,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn service(&self) -> &'static str {
        self.service
    }

    /// Adds `message` to the outbox inside the caller's transaction and returns its envelope.
    pub async fn add<M: Message>(
        &self,
        conn: &impl ConnectionTrait,
        message: &M,
        correlation: Option<String>,
    ) -> Result<Envelope, DbErr> {
        let envelope = self.envelope(message, correlation);
        add_envelope(conn, &envelope).await?;
        Ok(envelope)
    }

    /// The envelope [`Outbox::add`] would write, for a service that writes the row itself
    /// inside a larger statement (see [`COLUMNS`] and [`row_values`]).
    pub fn envelope<M: Message>(&self, message: &M, correlation: Option<String>) -> Envelope {
        Envelope::new(self.service, message, correlation)
    }

    /// Tells the relay that committed rows are waiting. Call after the commit.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

/// The columns of an outbox row, in the order of [`row_values`]: a service may insert its
/// message in the same statement as its change (one round trip instead of two).
pub const COLUMNS: &str = "message_id, event_type, payload, created_at";

/// The values of `envelope`'s outbox row, in the order of [`COLUMNS`].
pub fn row_values(envelope: &Envelope) -> [sea_orm::Value; 4] {
    [
        envelope.id.into(),
        envelope.event_type.clone().into(),
        String::from_utf8_lossy(&envelope.to_bytes())
            .into_owned()
            .into(),
        envelope.time.into(),
    ]
}

/// Adds an already-built envelope to the outbox (for replays and tools).
pub async fn add_envelope(conn: &impl ConnectionTrait, envelope: &Envelope) -> Result<(), DbErr> {
    add_envelope_at(conn, envelope, envelope.time).await
}

/// Adds an envelope written at `created_at` (a replay is new to the outbox, however old the
/// message: the outbox lag measures how long rows wait here).
pub async fn add_envelope_at(
    conn: &impl ConnectionTrait,
    envelope: &Envelope,
    created_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = entity::ActiveModel {
        message_id: Set(envelope.id),
        event_type: Set(envelope.event_type.clone()),
        payload: Set(String::from_utf8_lossy(&envelope.to_bytes()).into_owned()),
        created_at: Set(created_at),
        ..Default::default()
    };
    entity::Entity::insert(row)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Messages not yet published, and the age of the oldest, for `/metrics`.
pub async fn backlog(conn: &impl ConnectionTrait) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    use sea_orm::PaginatorTrait;
    let count = entity::Entity::find().count(conn).await?;
    let oldest = entity::Entity::find()
        .order_by_asc(entity::Column::Seq)
        .one(conn)
        .await?
        .map(|row| row.created_at);
    Ok((count, oldest))
}

/// Publishes a service's outbox rows in order.
pub struct Relay {
    db: Db,
    bus: Arc<dyn Bus>,
    wake: Arc<Notify>,
    poll: Duration,
    service: &'static str,
}

const BATCH: u64 = 200;

impl Relay {
    pub fn new(db: Db, bus: Arc<dyn Bus>, outbox: &Outbox, poll: Duration) -> Self {
        Self {
            db,
            bus,
            wake: outbox.waker(),
            poll,
            service: outbox.service,
        }
    }

    /// Publishes until `shutdown`, then makes one last pass so committed messages leave.
    #[tracing::instrument(name = "outbox_relay", skip_all, fields(service = self.service))]
    pub async fn run(self, shutdown: CancellationToken) {
        let mut failures: u32 = 0;
        loop {
            match self.publish_batch().await {
                Ok(n) if n == BATCH as usize => {
                    failures = 0;
                    continue;
                }
                Ok(_) => {
                    failures = 0;
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(self.poll) => {}
                        _ = shutdown.cancelled() => break,
                    }
                }
                Err(error) => {
                    failures = failures.saturating_add(1);
                    let delay = crate::retry::backoff(failures);
                    // A returned message is counted and logged where it came back.
                    if !matches!(
                        error.downcast_ref::<BusError>(),
                        Some(BusError::Unroutable(_))
                    ) {
                        metrics::counter!("piazza_outbox_publish_failures_total", "service" => self.service)
                            .increment(1);
                        tracing::warn!(error = %error, retry_in_ms = delay.as_millis() as u64, "outbox relay could not publish");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.cancelled() => break,
                    }
                }
            }
        }
        // Flush: whatever was committed before the stop goes out now if the bus is there.
        for _ in 0..50 {
            match self.publish_batch().await {
                Ok(n) if n == BATCH as usize => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(error = %error, "outbox not fully flushed at shutdown; it will be on the next start");
                    break;
                }
            }
        }
    }

    /// Publishes up to one batch; returns how many messages left the outbox.
    pub async fn publish_batch(&self) -> anyhow::Result<usize> {
        let query = entity::Entity::find()
            .order_by_asc(entity::Column::Seq)
            .limit(BATCH);
        let (published, error) = if self.db.is_postgres() {
            // Several replicas may relay the same outbox; each takes rows no other holds, and
            // keeps them locked until they are published and deleted.
            let txn = self.db.begin().await?;
            let rows = query
                .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
                .all(&*txn)
                .await?;
            let (published, error) = self.publish_rows(&rows).await;
            delete(&*txn, &published).await?;
            txn.commit().await?;
            (published, error)
        } else {
            // SQLite: one process owns the file and runs one relay per service, so reading
            // outside the write lock is safe; only the delete takes it.
            let rows = query.all(self.db.conn()).await?;
            let (published, error) = self.publish_rows(&rows).await;
            if !published.is_empty() {
                let txn = self.db.begin().await?;
                delete(&*txn, &published).await?;
                txn.commit().await?;
            }
            (published, error)
        };
        match error {
            Some(e) => Err(e.into()),
            None => Ok(published.len()),
        }
    }

    /// Publishes rows in order, stopping at the first failure so order is kept.
    async fn publish_rows(&self, rows: &[entity::Model]) -> (Vec<i64>, Option<BusError>) {
        let mut published = Vec::with_capacity(rows.len());
        for row in rows {
            let envelope = match Envelope::from_bytes(row.payload.as_bytes()) {
                Ok(envelope) => envelope,
                Err(e) => {
                    // Cannot happen for rows this code wrote; drop it loudly rather than block.
                    tracing::error!(seq = row.seq, error = %e, "dropping unreadable outbox row");
                    published.push(row.seq);
                    continue;
                }
            };
            match self.bus.publish(&envelope).await {
                Ok(()) => {
                    metrics::counter!(
                        "piazza_messages_published_total",
                        "service" => self.service,
                        "type" => envelope.event_type.clone()
                    )
                    .increment(1);
                    published.push(row.seq);
                }
                Err(BusError::Unroutable(reason)) => {
                    metrics::counter!(
                        "piazza_outbox_returned_total",
                        "service" => self.service,
                        "type" => envelope.event_type.clone()
                    )
                    .increment(1);
                    tracing::warn!(
                        message_id = %envelope.id,
                        event_type = %envelope.event_type,
                        %reason,
                        "no queue took the message; it stays in the outbox and is tried again"
                    );
                    return (published, Some(BusError::Unroutable(reason)));
                }
                Err(e) => return (published, Some(e)),
            }
        }
        (published, None)
    }
}

async fn delete(conn: &impl ConnectionTrait, seqs: &[i64]) -> Result<(), DbErr> {
    if seqs.is_empty() {
        return Ok(());
    }
    entity::Entity::delete_many()
        .filter(entity::Column::Seq.is_in(seqs.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}
