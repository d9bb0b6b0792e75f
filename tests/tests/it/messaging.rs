//! The outbox, the inbox and both buses, on SQLite and PostgreSQL alike: what is committed is
//! published in order and then removed, what is rolled back never leaves, a message seen twice is
//! handled once, and a bus that is away keeps the rows for later.

use async_trait::async_trait;
use piazza_e2e::{app::Database, eventually, infra, unique_name};
use piazza_shared::{
    Envelope, Message,
    bus::{
        Bus, Consumer, HandleError, Subscription,
        amqp::AmqpBus,
        inbox,
        memory::MemoryBus,
        outbox::{self, Outbox, Relay},
    },
    db::Db,
    secret::Secret,
    settings::{BusSettings, Settings},
};
use serde::{Deserialize, Serialize};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Ping {
    n: u32,
}

impl Message for Ping {
    const TYPE: &'static str = "piazza.test.ping";
}

/// A database with the messaging tables, in the test's own SQLite file or PostgreSQL schema.
struct TestDb {
    db: Db,
    schema_prefix: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    async fn new(database: Database) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (db, schema_prefix) = match database {
            Database::Sqlite => (
                Db::connect_sqlite(&dir.path().join("booking.db"), 5)
                    .await
                    .unwrap(),
                None,
            ),
            Database::Postgres => {
                let prefix = format!("{}_", unique_name());
                let db = Db::connect_postgres(
                    &piazza_e2e::database_url(),
                    &format!("{prefix}booking"),
                    5,
                )
                .await
                .unwrap();
                (db, Some(prefix))
            }
        };
        piazza_migrations::migrate_service("booking", &db)
            .await
            .unwrap();
        Self {
            db,
            schema_prefix,
            _dir: dir,
        }
    }

    async fn drop(self) {
        self.db.close().await;
        if let Some(prefix) = self.schema_prefix {
            infra::drop_schemas(&prefix).await;
        }
    }
}

/// Remembers what it was given.
#[derive(Default)]
struct Recorder(Mutex<Vec<Envelope>>);

impl Recorder {
    fn numbers(&self) -> Vec<u32> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.decode::<Ping>().unwrap().n)
            .collect()
    }
}

#[async_trait]
impl Consumer for Recorder {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        self.0.lock().unwrap().push(envelope);
        Ok(())
    }
}

fn bus_settings() -> BusSettings {
    let mut settings = Settings::from_toml("", &[]).unwrap().bus;
    let name = unique_name();
    settings.namespace = name.clone();
    settings.queue_prefix = format!("{name}.");
    settings.retry_delay_ms = 100;
    settings
}

async fn outbox_rows(db: &Db) -> u64 {
    outbox::backlog(db.conn()).await.unwrap().0
}

async fn committed_messages_are_published_in_order_and_rolled_back_ones_never(database: Database) {
    let test = TestDb::new(database).await;
    let outbox = Outbox::new("booking");
    let txn = test.db.begin().await.unwrap();
    for n in 1..=3 {
        outbox.add(&*txn, &Ping { n }, None).await.unwrap();
    }
    txn.commit().await.unwrap();
    let txn = test.db.begin().await.unwrap();
    outbox.add(&*txn, &Ping { n: 99 }, None).await.unwrap();
    txn.rollback().await.unwrap();
    let txn = test.db.begin().await.unwrap();
    outbox.add(&*txn, &Ping { n: 4 }, None).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(outbox_rows(&test.db).await, 4);

    let settings = bus_settings();
    let bus = Arc::new(MemoryBus::new(settings.clone()));
    let subscription = Subscription::new(&settings, "scheduler", vec!["test.*"]);
    // Declared first, as the runtime does, so nothing published from now on is missed.
    bus.declare(&subscription).await.unwrap();
    let recorder = Arc::new(Recorder::default());
    let stop = CancellationToken::new();
    let consuming = {
        let (bus, recorder, stop) = (bus.clone(), recorder.clone(), stop.clone());
        tokio::spawn(async move { bus.consume(subscription, recorder, stop).await })
    };
    let relay = Relay::new(test.db.clone(), bus, &outbox, Duration::from_secs(1));
    let published = eventually("the relay to publish", Duration::from_secs(10), || {
        let relay = &relay;
        async move { relay.publish_batch().await.ok().filter(|n| *n > 0) }
    })
    .await;

    assert_eq!(published, 4);
    assert_eq!(recorder.numbers(), vec![1, 2, 3, 4]);
    assert_eq!(outbox_rows(&test.db).await, 0, "published rows are removed");
    stop.cancel();
    consuming.await.unwrap().unwrap();
    test.drop().await;
}

#[tokio::test]
async fn committed_messages_are_published_in_order_and_rolled_back_ones_never_on_sqlite() {
    committed_messages_are_published_in_order_and_rolled_back_ones_never(Database::Sqlite).await;
}

#[tokio::test]
async fn committed_messages_are_published_in_order_and_rolled_back_ones_never_on_postgres() {
    committed_messages_are_published_in_order_and_rolled_back_ones_never(Database::Postgres).await;
}

async fn the_inbox_claims_a_message_once(database: Database) {
    let test = TestDb::new(database).await;
    let envelope = Envelope::new("scheduler", &Ping { n: 1 }, Some("c-1".into()));
    let other = Envelope::new("scheduler", &Ping { n: 2 }, None);

    let txn = test.db.begin().await.unwrap();
    assert!(inbox::claim(&*txn, &envelope).await.unwrap());
    txn.commit().await.unwrap();
    // A claim rolled back with its effect leaves the message to be handled again.
    let txn = test.db.begin().await.unwrap();
    assert!(inbox::claim(&*txn, &other).await.unwrap());
    txn.rollback().await.unwrap();

    let txn = test.db.begin().await.unwrap();
    assert!(
        !inbox::claim(&*txn, &envelope).await.unwrap(),
        "seen before"
    );
    assert!(
        inbox::claim(&*txn, &other).await.unwrap(),
        "rolled back before"
    );
    txn.commit().await.unwrap();
    test.drop().await;
}

#[tokio::test]
async fn the_inbox_claims_a_message_once_on_sqlite() {
    the_inbox_claims_a_message_once(Database::Sqlite).await;
}

#[tokio::test]
async fn the_inbox_claims_a_message_once_on_postgres() {
    the_inbox_claims_a_message_once(Database::Postgres).await;
}

#[tokio::test]
async fn rows_stay_in_the_outbox_while_the_broker_is_unreachable() {
    let test = TestDb::new(Database::Postgres).await;
    let outbox = Outbox::new("booking");
    let txn = test.db.begin().await.unwrap();
    outbox.add(&*txn, &Ping { n: 1 }, None).await.unwrap();
    txn.commit().await.unwrap();
    // Nothing listens on port 1.
    let bus = Arc::new(AmqpBus::new(
        Secret::new("amqp://guest:guest@127.0.0.1:1/%2f".into()),
        bus_settings(),
        "test",
    ));
    let relay = Relay::new(test.db.clone(), bus, &outbox, Duration::from_secs(1));

    assert!(relay.publish_batch().await.is_err());
    assert_eq!(outbox_rows(&test.db).await, 1, "the message waits");
    test.drop().await;
}

#[tokio::test]
async fn rabbitmq_routes_by_topic_to_each_bound_queue_and_parks_what_always_fails() {
    let settings = bus_settings();
    let bus = Arc::new(AmqpBus::new(
        Secret::new(piazza_e2e::amqp_url()),
        settings.clone(),
        "test",
    ));
    let wanted = Subscription::new(&settings, "scheduler", vec!["test.*"]);
    let unrelated = Subscription::new(&settings, "booking", vec!["space.*"]);
    bus.declare(&wanted).await.unwrap();
    bus.declare(&unrelated).await.unwrap();
    for n in 1..=3 {
        bus.publish(&Envelope::new("booking", &Ping { n }, None))
            .await
            .unwrap();
    }

    /// Fails temporarily on 2, every time.
    struct FailsOnTwo(Recorder);
    #[async_trait]
    impl Consumer for FailsOnTwo {
        async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
            if envelope.decode::<Ping>().unwrap().n == 2 {
                return Err(HandleError::Retry(anyhow::anyhow!("always")));
            }
            self.0.consume(envelope).await
        }
    }
    let consumer = Arc::new(FailsOnTwo(Recorder::default()));
    let stop = CancellationToken::new();
    let consuming = {
        let (bus, consumer, stop) = (bus.clone(), consumer.clone(), stop.clone());
        tokio::spawn(async move { bus.consume(wanted, consumer, stop).await })
    };
    eventually("1 and 3 to be handled", Duration::from_secs(20), || async {
        (consumer.0.numbers() == vec![1, 3]).then_some(())
    })
    .await;
    let parked = eventually(
        "2 to be parked after its attempts",
        Duration::from_secs(30),
        || async {
            let count =
                infra::queue_depth(&format!("{}scheduler.dead", settings.queue_prefix)).await;
            (count == 1).then_some(count)
        },
    )
    .await;
    assert_eq!(parked, 1);
    assert_eq!(
        infra::queue_depth(&format!("{}booking", settings.queue_prefix)).await,
        0,
        "a queue bound to other keys receives nothing"
    );
    stop.cancel();
    consuming.await.unwrap().unwrap();
    infra::delete_broker_objects(
        &piazza_e2e::amqp_url(),
        &settings.namespace,
        &settings.queue_prefix,
    )
    .await;
}

/// Inbox ids handled longer ago than `bus.inbox_retention_days` are pruned by the running
/// service (at its start, then hourly), in batches; younger ones stay, so a redelivery within
/// the retention is still recognised.
async fn the_inbox_forgets_ids_past_their_retention(database: Database) {
    use piazza_shared::runtime::Application;
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    let dir = tempfile::tempdir().unwrap();
    let name = unique_name();
    let mut settings =
        Settings::from_toml("", &piazza_shared::runtime::sections(&piazza_e2e::app::ALL)).unwrap();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.data_dir = dir.path().join("data");
    settings.secret_key = Some(Secret::new(piazza_e2e::deploy::SECRET.to_string()));
    settings.bus.queue_prefix = format!("{name}.");
    settings.database_max_connections = 5;
    settings.bus.inbox_retention_days = 7;
    let schema_prefix = format!("{name}_");
    if database == Database::Postgres {
        settings.database_url = Some(Secret::new(piazza_e2e::database_url()));
        settings.database_schema_prefix = schema_prefix.clone();
    }
    let db = Db::connect(&settings, "booking").await.unwrap();
    piazza_migrations::migrate_service("booking", &db)
        .await
        .unwrap();
    // 2,500 ids handled eight days ago (more than one batch) and 10 handled six days ago.
    let now = piazza_e2e::clock::now();
    let row = |days: i64| inbox::entity::ActiveModel {
        message_id: Set(uuid::Uuid::now_v7()),
        event_type: Set(Ping::TYPE.to_string()),
        handled_at: Set(now - chrono::Duration::days(days)),
    };
    for _ in 0..5 {
        inbox::entity::Entity::insert_many((0..500).map(|_| row(8)))
            .exec_without_returning(db.conn())
            .await
            .unwrap();
    }
    inbox::entity::Entity::insert_many((0..10).map(|_| row(6)))
        .exec_without_returning(db.conn())
        .await
        .unwrap();

    let app = Application::build(settings, &[piazza_booking::SERVICE], &piazza_e2e::app::ALL)
        .await
        .unwrap();
    let shutdown = app.shutdown_token();
    let running = tokio::spawn(app.run_until_stopped());
    let cutoff = now - chrono::Duration::days(7);
    eventually(
        "the ids past their retention to go",
        Duration::from_secs(30),
        || async {
            let old = inbox::entity::Entity::find()
                .filter(inbox::entity::Column::HandledAt.lt(cutoff))
                .count(db.conn())
                .await
                .unwrap();
            (old == 0).then_some(())
        },
    )
    .await;
    let kept = inbox::entity::Entity::find()
        .count(db.conn())
        .await
        .unwrap();
    assert_eq!(kept, 10, "the ids within the retention stay");

    shutdown.cancel();
    running.await.unwrap().unwrap();
    db.close().await;
    if database == Database::Postgres {
        infra::drop_schemas(&schema_prefix).await;
    }
}

#[tokio::test]
async fn the_inbox_forgets_ids_past_their_retention_on_sqlite() {
    the_inbox_forgets_ids_past_their_retention(Database::Sqlite).await;
}

#[tokio::test]
async fn the_inbox_forgets_ids_past_their_retention_on_postgres() {
    the_inbox_forgets_ids_past_their_retention(Database::Postgres).await;
}
