//! Fault 5, poison messages: a message that cannot be read, or whose handling fails every time,
//! is tried a bounded number of times with a delay between attempts, then parked as a dead
//! letter, while the messages behind it keep flowing; `piazza dead-letters list` shows it without
//! taking it away and `piazza dead-letters replay` sends it back once the cause is fixed.
//!
//! The handling that always fails is real: a trigger on the consuming service's inbox table
//! refuses that one message id, as a broken constraint or a bad migration would, until the test
//! drops the trigger (the fix).

use super::{bookings_per_event, bus_settings, open_space, slot_request};
use async_trait::async_trait;
use lapin::{BasicProperties, Connection, ConnectionProperties, options::BasicPublishOptions};
use piazza_e2e::{app::TestApp, eventually, infra, metrics, node, tally::Tally, unique_name};
use piazza_shared::{
    Envelope, Message,
    bus::{
        Bus, Consumer, DeadLetter, HandleError, Subscription, amqp::AmqpBus, dead_letters::Parked,
        memory::MemoryBus, outbox,
    },
    secret::Secret,
};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Ping {
    n: u32,
}

impl Message for Ping {
    const TYPE: &'static str = "piazza.test.ping";
}

/// Handles pings; ping 0 fails (temporarily, as far as it can tell) while `failing` is set.
#[derive(Default)]
struct Flaky {
    failing: AtomicBool,
    /// When each attempt at ping 0 was made.
    attempts_at_zero: Mutex<Vec<Instant>>,
    /// Each ping handled, and when.
    handled: Mutex<Vec<(u32, Instant)>>,
    /// What the bus parked through this consumer, and when.
    parked: Mutex<Vec<(DeadLetter, Instant)>>,
}

impl Flaky {
    fn failing() -> Self {
        let flaky = Self::default();
        flaky.failing.store(true, Ordering::SeqCst);
        flaky
    }

    fn handled(&self) -> Vec<u32> {
        self.handled
            .lock()
            .unwrap()
            .iter()
            .map(|(n, _)| *n)
            .collect()
    }
}

#[async_trait]
impl Consumer for Flaky {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        let n = envelope
            .decode::<Ping>()
            .map_err(|e| HandleError::Reject(e.into()))?
            .n;
        if n == 0 {
            self.attempts_at_zero.lock().unwrap().push(Instant::now());
            if self.failing.load(Ordering::SeqCst) {
                return Err(HandleError::Retry(anyhow::anyhow!("ping 0 always fails")));
            }
        }
        self.handled.lock().unwrap().push((n, Instant::now()));
        Ok(())
    }

    async fn park(&self, dead: &DeadLetter) -> anyhow::Result<bool> {
        self.parked
            .lock()
            .unwrap()
            .push((dead.clone(), Instant::now()));
        Ok(true)
    }
}

/// Publishes bytes that are not an envelope, as a broken producer would.
async fn publish_garbage(url: &str, namespace: &str, routing_key: &str, message_id: &str) {
    let connection = Connection::connect(url, ConnectionProperties::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .basic_publish(
            format!("{namespace}.events").as_str().into(),
            routing_key.into(),
            BasicPublishOptions::default(),
            b"{this is not a CloudEvents envelope",
            BasicProperties::default()
                .with_delivery_mode(2)
                .with_message_id(message_id.into()),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    connection.close(200, "done".into()).await.unwrap();
}

/// The gaps between consecutive instants.
fn gaps(times: &[Instant]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rabbitmq_retries_a_failing_message_after_a_delay_then_parks_it_while_the_rest_flow() {
    let name = unique_name();
    let mut settings = bus_settings(&name, &format!("{name}."));
    settings.retry_delay_ms = 500;
    settings.max_attempts = 4;
    let url = piazza_e2e::amqp_url();
    let bus = Arc::new(AmqpBus::new(
        Secret::new(url.clone()),
        settings.clone(),
        "test",
    ));
    let subscription = Subscription::new(&settings, "booking", vec!["test.*"]);
    let queue = subscription.queue.clone();
    bus.declare(&subscription).await.unwrap();

    publish_garbage(&url, &name, "test.ping", "garbage-1").await;
    let poison = Envelope::new("scheduler", &Ping { n: 0 }, None);
    bus.publish(&poison).await.unwrap();
    for n in 1..=20 {
        bus.publish(&Envelope::new("scheduler", &Ping { n }, None))
            .await
            .unwrap();
    }
    let consumer = Arc::new(Flaky::failing());
    let stop = CancellationToken::new();
    let consuming = {
        let (bus, consumer, stop) = (bus.clone(), consumer.clone(), stop.clone());
        tokio::spawn(async move { bus.consume(subscription, consumer, stop).await })
    };
    let parked = eventually("both poison messages to be parked", WAIT, || {
        let (bus, queue) = (bus.clone(), queue.clone());
        async move {
            let parked = bus.dead_letters("booking", &queue).await.unwrap();
            (parked.len() == 2).then_some(parked)
        }
    })
    .await;

    let garbage = parked.iter().find(|p| p.id == "garbage-1").unwrap();
    assert_eq!(
        garbage.attempts, 1,
        "an unreadable message is parked at once"
    );
    assert!(
        garbage.reason.contains("not a CloudEvents JSON envelope"),
        "{garbage:?}"
    );
    let failing = parked
        .iter()
        .find(|p| p.id == poison.id.to_string())
        .unwrap();
    assert_eq!(failing.attempts, 4, "{failing:?}");
    assert_eq!(failing.event_type, Ping::TYPE);
    assert!(
        failing.reason.contains("ping 0 always fails"),
        "{failing:?}"
    );
    assert!(failing.parked_at.is_some());
    let attempts = consumer.attempts_at_zero.lock().unwrap().clone();
    assert_eq!(attempts.len(), 4, "tried exactly max_attempts times");
    for gap in gaps(&attempts) {
        assert!(
            gap >= Duration::from_millis(450),
            "attempts only {gap:?} apart"
        );
    }
    let mut handled = consumer.handled();
    handled.sort_unstable();
    assert_eq!(handled, (1..=20).collect::<Vec<_>>(), "each once");
    let last_good = consumer
        .handled
        .lock()
        .unwrap()
        .iter()
        .map(|(_, at)| *at)
        .max()
        .unwrap();
    assert!(
        last_good < attempts[3],
        "the messages behind the poison were handled while it was being retried"
    );
    assert_eq!(
        bus.dead_letters("booking", &queue).await.unwrap().len(),
        2,
        "listing leaves parked messages in place"
    );

    // The cause is fixed: replay the failing one only.
    consumer.failing.store(false, Ordering::SeqCst);
    let replayed = bus
        .replay_dead_letters("booking", &queue, |p: &Parked| {
            p.id == poison.id.to_string()
        })
        .await
        .unwrap();
    assert_eq!(replayed, vec![poison.id.to_string()]);
    eventually("the replayed message to be handled", WAIT, || async {
        consumer.handled().contains(&0).then_some(())
    })
    .await;
    let left = bus.dead_letters("booking", &queue).await.unwrap();
    assert_eq!(
        left.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        vec!["garbage-1"]
    );

    stop.cancel();
    consuming.await.unwrap().unwrap();
    infra::delete_broker_objects(&url, &settings.namespace, &settings.queue_prefix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_bus_retries_after_a_delay_then_parks_while_other_publishers_flow() {
    let name = unique_name();
    let mut settings = bus_settings(&name, &format!("{name}."));
    settings.retry_delay_ms = 300;
    settings.max_attempts = 4;
    let bus = Arc::new(MemoryBus::new(settings.clone()));
    let subscription = Subscription::new(&settings, "booking", vec!["test.*"]);
    bus.declare(&subscription).await.unwrap();
    let consumer = Arc::new(Flaky::failing());
    let stop = CancellationToken::new();
    let consuming = {
        let (bus, consumer, stop) = (bus.clone(), consumer.clone(), stop.clone());
        tokio::spawn(async move { bus.consume(subscription, consumer, stop).await })
    };

    // One publisher sends the poison; publishing returns once it is parked.
    let poison = Envelope::new("scheduler", &Ping { n: 0 }, None);
    let poisoned = {
        let (bus, poison) = (bus.clone(), poison.clone());
        tokio::spawn(async move { bus.publish(&poison).await })
    };
    // Another keeps publishing meanwhile; each publish returns once handled.
    for n in 1..=20 {
        bus.publish(&Envelope::new("booking", &Ping { n }, None))
            .await
            .unwrap();
    }
    let others_done = Instant::now();
    poisoned.await.unwrap().unwrap();

    let parked = consumer.parked.lock().unwrap().clone();
    assert_eq!(parked.len(), 1);
    let (dead, parked_at) = &parked[0];
    assert_eq!(dead.envelope.id, poison.id);
    assert_eq!(dead.attempts, 4);
    assert!(
        dead.reason.contains("ping 0 always fails"),
        "{}",
        dead.reason
    );
    assert!(
        others_done < *parked_at,
        "the other publisher's messages were handled while the poison was retried"
    );
    let attempts = consumer.attempts_at_zero.lock().unwrap().clone();
    assert_eq!(attempts.len(), 4);
    for gap in gaps(&attempts) {
        assert!(
            gap >= Duration::from_millis(280),
            "attempts only {gap:?} apart"
        );
    }
    assert_eq!(consumer.handled(), (1..=20).collect::<Vec<_>>());
    assert!(
        bus.dead_letters().await.is_empty(),
        "kept by the consumer, not in memory"
    );
    stop.cancel();
    consuming.await.unwrap().unwrap();
}

/// `piazza dead-letters list --json` for the application's stores.
async fn list_dead_letters(app: &TestApp) -> Vec<serde_json::Value> {
    let (ok, output) = node::run(&app.cli_env(), &["dead-letters", "list", "--json"], "").await;
    assert!(ok, "piazza dead-letters list failed: {output}");
    output
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// A trigger that refuses to record `message_id` in the consuming service's inbox: the handling of that one
/// message fails every time, in a real database transaction.
fn poison_trigger(postgres_schema: Option<&str>, message_id: uuid::Uuid) -> String {
    match postgres_schema {
        Some(schema) => format!(
            r#"CREATE FUNCTION "{schema}".poison() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'poisoned by the test'; END $$;
               CREATE TRIGGER poison BEFORE INSERT ON "{schema}".inbox FOR EACH ROW
               WHEN (NEW.message_id = '{message_id}') EXECUTE FUNCTION "{schema}".poison();"#
        ),
        None => format!(
            "CREATE TRIGGER poison BEFORE INSERT ON inbox WHEN NEW.message_id = X'{}'
             BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END;",
            message_id.simple()
        ),
    }
}

fn cure(postgres_schema: Option<&str>) -> String {
    match postgres_schema {
        Some(schema) => format!(r#"DROP TRIGGER poison ON "{schema}".inbox"#),
        None => "DROP TRIGGER poison".into(),
    }
}

/// The end of a fault-5 test, the same on both buses: the poison was parked with `retried`
/// retries before it; the fix is applied, the poison replayed by id and handled, the `stuck`
/// message (which can never succeed) stays parked, and every request took effect once.
struct Replay<'a> {
    admin: &'a str,
    space: uuid::Uuid,
    poison_event: uuid::Uuid,
    poison_id: uuid::Uuid,
    stuck: &'a str,
}

impl Replay<'_> {
    async fn after_the_fix(
        &self,
        app: &TestApp,
        booking_db: &piazza_shared::db::Db,
        fix: &str,
        retried: f64,
        mut tally: Tally,
    ) {
        let text = metrics::scrape(&app.base).await;
        let queue = format!("{}booking", app.settings.bus.queue_prefix);
        let labels = [("queue", queue.as_str())];
        assert_eq!(
            metrics::value(&text, "piazza_messages_retried_total", &labels),
            retried
        );
        assert_eq!(
            metrics::value(&text, "piazza_dead_letters_total", &labels),
            2.0
        );

        booking_db.conn().execute_unprepared(fix).await.unwrap();
        let id = self.poison_id.to_string();
        let args = [
            "dead-letters",
            "replay",
            "--service",
            "booking",
            "--id",
            &id,
        ];
        let (ok, output) = node::run(&app.cli_env(), &args, "").await;
        assert!(ok, "{output}");
        assert!(
            output.contains(&format!("replayed booking {id}")),
            "{output}"
        );
        eventually("the replayed request to be booked", WAIT, || async {
            let counts = bookings_per_event(&app.api, &app.base, self.admin, self.space).await;
            counts
                .contains_key(&self.poison_event.to_string())
                .then_some(())
        })
        .await;
        let left = list_dead_letters(app).await;
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0]["id"], self.stuck);
        let (ok, table) = node::run(&app.cli_env(), &["dead-letters", "list"], "").await;
        assert!(
            ok && table.contains("SERVICE") && table.contains(self.stuck),
            "{table}"
        );
        let args = ["dead-letters", "list", "--service", "scheduler"];
        let (ok, none) = node::run(&app.cli_env(), &args, "").await;
        assert!(ok && none.contains("no dead letters"), "{none}");
        let unknown = uuid::Uuid::now_v7().to_string();
        let (ok, output) = node::run(
            &app.cli_env(),
            &["dead-letters", "replay", "--id", &unknown],
            "",
        )
        .await;
        assert!(
            !ok && output.contains("no parked message with id"),
            "{output}"
        );

        for (event, times) in bookings_per_event(&app.api, &app.base, self.admin, self.space).await
        {
            tally.effects(event, times);
        }
        tally.note("parked", 2);
        tally.note("replayed", 1);
        tally.assert_exactly_once();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_5_poison_messages_on_rabbitmq_are_parked_listed_and_replayed() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&[piazza_booking::SERVICE])
        .settings(|s| {
            s.bus.retry_delay_ms = 1000;
            s.bus.max_attempts = 5;
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    let space = open_space(&app.api, &app.base, &admin, "Sala dei Decurioni").await;
    let url = piazza_e2e::amqp_url();
    let bus = AmqpBus::new(Secret::new(url.clone()), app.settings.bus.clone(), "test");
    let schema = format!("{}booking", app.settings.database_schema_prefix);
    let booking_db = app.db("booking").await;
    let mut tally = Tally::new("5 poison messages (RabbitMQ)");

    let (poison_event, poison) = slot_request(space, 0);
    booking_db
        .conn()
        .execute_unprepared(&poison_trigger(Some(&schema), poison.id))
        .await
        .unwrap();
    publish_garbage(
        &url,
        &app.settings.bus.namespace,
        "scheduling.slot_requested",
        "garbage-1",
    )
    .await;
    bus.publish(&poison).await.unwrap();
    tally.sent(poison_event);
    for n in 1..=20 {
        let (event, request) = slot_request(space, n);
        bus.publish(&request).await.unwrap();
        tally.sent(event);
    }

    let parked = eventually("both poison messages to be parked", WAIT, || async {
        let parked = list_dead_letters(&app).await;
        (parked.len() == 2).then_some(parked)
    })
    .await;
    let by_id: BTreeMap<&str, &serde_json::Value> = parked
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let garbage = by_id["garbage-1"];
    assert_eq!(garbage["service"], "booking");
    assert_eq!(garbage["attempts"], 1);
    let failing = by_id[poison.id.to_string().as_str()];
    assert_eq!(failing["event_type"], "piazza.scheduling.slot_requested");
    assert_eq!(failing["attempts"], 5);
    assert!(
        failing["reason"]
            .as_str()
            .unwrap()
            .contains("poisoned by the test"),
        "{failing}"
    );
    let parked_at: chrono::DateTime<chrono::Utc> =
        failing["parked_at"].as_str().unwrap().parse().unwrap();

    // The twenty behind it were handled while it was being retried.
    let (status, page) = app
        .get(
            &format!("/api/v1/bookings?space_id={space}&limit=500"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let created: Vec<chrono::DateTime<chrono::Utc>> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["created_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(created.len(), 20);
    assert!(created.iter().all(|at| *at < parked_at));

    let fixed = cure(Some(&schema));
    let stuck = "garbage-1".to_string();
    let replay = Replay {
        admin: &admin,
        space,
        poison_event,
        poison_id: poison.id,
        stuck: &stuck,
    };
    replay
        .after_the_fix(&app, &booking_db, &fixed, 4.0, tally)
        .await;
    booking_db.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_5_poison_messages_in_the_embedded_mode_are_kept_in_the_table_and_replayed() {
    let app = TestApp::builder()
        .services(&[piazza_booking::SERVICE, piazza_scheduler::SERVICE])
        .settings(|s| {
            s.bus.retry_delay_ms = 200;
            s.bus.max_attempts = 3;
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    let space = open_space(&app.api, &app.base, &admin, "Sala del chiostro").await;
    let booking_db = app.db("booking").await;
    let scheduler_db = app.db("scheduler").await;
    let mut tally = Tally::new("5 poison messages (embedded, in-process bus)");

    let (poison_event, poison) = slot_request(space, 0);
    booking_db
        .conn()
        .execute_unprepared(&poison_trigger(None, poison.id))
        .await
        .unwrap();
    // A message that breaks its contract: the type of a slot request, data of something else.
    let mut broken = Envelope::new("scheduler", &Ping { n: 7 }, None);
    broken.event_type = "piazza.scheduling.slot_requested".into();
    // Sent as the scheduler sends: through its outbox, which its relay publishes.
    let txn = scheduler_db.begin().await.unwrap();
    outbox::add_envelope(&*txn, &broken).await.unwrap();
    outbox::add_envelope(&*txn, &poison).await.unwrap();
    tally.sent(poison_event);
    for n in 1..=20 {
        let (event, request) = slot_request(space, n);
        outbox::add_envelope(&*txn, &request).await.unwrap();
        tally.sent(event);
    }
    txn.commit().await.unwrap();

    let parked = eventually(
        "both messages to be parked in booking's table",
        WAIT,
        || async {
            let parked = list_dead_letters(&app).await;
            (parked.len() == 2).then_some(parked)
        },
    )
    .await;
    let failing = parked
        .iter()
        .find(|p| p["id"] == poison.id.to_string())
        .unwrap();
    assert_eq!(failing["service"], "booking");
    assert_eq!(failing["attempts"], 3);
    assert!(
        failing["reason"]
            .as_str()
            .unwrap()
            .contains("poisoned by the test")
    );
    let broken_parked = parked
        .iter()
        .find(|p| p["id"] == broken.id.to_string())
        .unwrap();
    assert_eq!(
        broken_parked["attempts"], 1,
        "a broken contract is parked at once"
    );
    eventually("the twenty good requests to be booked", WAIT, || async {
        let counts = bookings_per_event(&app.api, &app.base, &admin, space).await;
        (counts.len() == 20).then_some(())
    })
    .await;
    let stuck = broken.id.to_string();
    let replay = Replay {
        admin: &admin,
        space,
        poison_event,
        poison_id: poison.id,
        stuck: &stuck,
    };
    replay
        .after_the_fix(&app, &booking_db, &cure(None), 2.0, tally)
        .await;
    booking_db.close().await;
    scheduler_db.close().await;
    app.stop().await;
}
