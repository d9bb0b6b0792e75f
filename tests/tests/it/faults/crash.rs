//! Faults 3, 6 and 7: a service process stopped in the middle of a stream of work.
//!
//! - SIGKILL (fault 3): nothing gets finished; what was committed but not acknowledged is handed
//!   out again after the restart and the inbox skips it, what was committed but not published
//!   leaves the outbox after the restart.
//! - SIGTERM (fault 6): the process stops taking messages, finishes and acknowledges the one in
//!   hand, flushes its outbox and exits 0, so after the restart nothing is handed out twice.
//! - kill -9 of the embedded process (fault 7): the in-process bus loses what it held in memory,
//!   but every message is still in its publisher's SQLite outbox and goes out again.

use super::{bookings_per_event, bus_settings, open_space, slot_request};
use futures::StreamExt;
use piazza_e2e::{
    api::Api, deploy::Deployment, eventually, infra, metrics, observer::Observer, tally::Tally,
};
use piazza_shared::{
    bus::{Bus, amqp::AmqpBus, outbox},
    db::Db,
    secret::Secret,
};
use reqwest::StatusCode;
use serde_json::json;
use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};
use uuid::Uuid;

/// Slot requests in each stream.
const REQUESTS: u32 = 300;
const WAIT: Duration = Duration::from_secs(60);

/// Booking alone, on RabbitMQ and PostgreSQL, with an administrator, a space, and an observer of
/// everything booking publishes.
struct Stream {
    deployment: Deployment,
    api: Api,
    admin: String,
    space: Uuid,
    observer: Observer,
    /// Each request's correlation id, and its event.
    correlations: BTreeMap<String, Uuid>,
    tally: Tally,
}

impl Stream {
    async fn start(fault: &str) -> Self {
        let deployment = Deployment::distributed_services(
            &["booking"],
            BTreeMap::from([("PIAZZA_BUS__PREFETCH".to_string(), "8".to_string())]),
        )
        .await;
        deployment
            .add_user("admin@comune.test", "admin", None, "admin-password-1")
            .await;
        let api = Api::new();
        let booking = deployment.url("booking").to_string();
        let admin = api
            .login(&booking, "admin@comune.test", "admin-password-1")
            .await;
        let space = open_space(&api, &booking, &admin, "Sala Maffei").await;
        let (_, namespace, _) = deployment.names.clone().unwrap();
        let observer = Observer::start(&piazza_e2e::amqp_url(), &namespace, &["booking.*"]).await;
        Self {
            deployment,
            api,
            admin,
            space,
            observer,
            correlations: BTreeMap::new(),
            tally: Tally::new(fault),
        }
    }

    fn booking(&self) -> String {
        self.deployment.url("booking").to_string()
    }

    fn schema(&self) -> String {
        format!("{}booking", self.deployment.names.as_ref().unwrap().0)
    }

    fn queue(&self) -> String {
        format!("{}booking", self.deployment.names.as_ref().unwrap().2)
    }

    /// Sends the stream of slot requests, as the scheduler sends them.
    async fn send(&mut self) {
        let (_, namespace, queue_prefix) = self.deployment.names.clone().unwrap();
        let bus = AmqpBus::new(
            Secret::new(piazza_e2e::amqp_url()),
            bus_settings(&namespace, &queue_prefix),
            "fault-test",
        );
        for n in 0..REQUESTS {
            let (event, request) = slot_request(self.space, n);
            bus.publish(&request).await.unwrap();
            self.correlations
                .insert(request.correlationid.clone().unwrap(), event);
            self.tally.sent(event);
        }
    }

    async fn handled(&self) -> usize {
        bookings_per_event(&self.api, &self.booking(), &self.admin, self.space)
            .await
            .len()
    }

    /// Waits until about a third of the stream is handled, and returns how much was.
    async fn until_a_third_is_handled(&self) -> usize {
        eventually("a third of the requests to be handled", WAIT, || async {
            let handled = self.handled().await;
            (handled >= REQUESTS as usize / 3).then_some(handled)
        })
        .await
    }

    /// Booking's database, read directly while the process is down.
    async fn db(&self) -> Db {
        Db::connect_postgres(&piazza_e2e::database_url(), &self.schema(), 2)
            .await
            .unwrap()
    }

    /// Waits for every request's effect and answer, counts both, and stops everything. Returns
    /// the tally of effects, how many answers the observer saw twice, and how many redelivered
    /// requests the (restarted) booking process skipped because its inbox had them.
    async fn finish(mut self) -> (Tally, usize, f64) {
        eventually("every request to be handled", WAIT, || async {
            (self.handled().await == REQUESTS as usize).then_some(())
        })
        .await;
        for (event, times) in
            bookings_per_event(&self.api, &self.booking(), &self.admin, self.space).await
        {
            self.tally.effects(event, times);
        }
        // Each request is answered once: two answers (two envelope ids) under one correlation
        // would be an effect applied twice; one envelope seen twice is a redelivery.
        let answers = eventually("an answer to every request", WAIT, || async {
            let messages = self.observer.messages();
            let answered: BTreeSet<&str> = messages
                .iter()
                .filter_map(|m| m.correlationid.as_deref())
                .collect();
            (answered.len() == self.correlations.len()).then_some(messages)
        })
        .await;
        let mut distinct: BTreeMap<&str, BTreeSet<Uuid>> = BTreeMap::new();
        for message in &answers {
            if let Some(correlation) = message.correlationid.as_deref() {
                distinct.entry(correlation).or_default().insert(message.id);
            }
        }
        let mut by_answer = Tally::new(&format!("{} · answers", self.tally.fault()));
        for (correlation, event) in &self.correlations {
            by_answer.sent(event);
            by_answer.effects(
                event,
                distinct
                    .get(correlation.as_str())
                    .map_or(0, |ids| ids.len()),
            );
        }
        let ids: usize = distinct.values().map(BTreeSet::len).sum();
        let redelivered = answers.len() - ids;
        by_answer.note("redelivered on the wire", redelivered);
        by_answer.assert_exactly_once();
        let skipped = metrics::value(
            &metrics::scrape(&self.booking()).await,
            "piazza_messages_duplicate_total",
            &[("service", "booking")],
        );
        self.observer.stop().await;
        self.deployment.stop().await;
        (self.tally, redelivered, skipped)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_3_a_service_killed_mid_stream_loses_nothing_and_applies_nothing_twice() {
    let mut stream = Stream::start("3 SIGKILL of booking mid-stream (RabbitMQ, PostgreSQL)").await;
    stream.send().await;
    let handled_before = stream.until_a_third_is_handled().await;
    stream.deployment.node_mut("booking").kill().await;

    // What the kill interrupted: committed answers not yet published, messages not yet handled
    // (the broker takes back the unacknowledged ones).
    let db = stream.db().await;
    let (unpublished, _) = outbox::backlog(db.conn()).await.unwrap();
    db.close().await;
    let waiting = infra::queue_depth(&stream.queue()).await;
    stream.deployment.node_mut("booking").restart().await;

    stream.tally.note("handled before the kill", handled_before);
    stream.tally.note("unpublished at the kill", unpublished);
    stream.tally.note("unhandled at the kill", waiting);
    let (mut tally, redelivered, skipped) = stream.finish().await;
    // Committed but not acknowledged at the kill: handed out again, and skipped by the inbox.
    tally.note("skipped by the inbox", skipped);
    tally.note("answers redelivered", redelivered);
    tally.assert_exactly_once();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_6_sigterm_finishes_what_it_holds_flushes_the_outbox_and_exits_0() {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let mut stream = Stream::start("6 SIGTERM of booking mid-stream (RabbitMQ, PostgreSQL)").await;
    stream.send().await;
    let handled_before = stream.until_a_third_is_handled().await;
    let exited_cleanly = stream.deployment.node_mut("booking").terminate().await;
    assert!(exited_cleanly, "booking exits with status 0 on SIGTERM");

    let db = stream.db().await;
    let (unpublished, _) = outbox::backlog(db.conn()).await.unwrap();
    assert_eq!(unpublished, 0, "the outbox is flushed before the exit");
    let handled = piazza_shared::bus::inbox::entity::Entity::find()
        .filter(
            piazza_shared::bus::inbox::entity::Column::EventType
                .eq("piazza.scheduling.slot_requested"),
        )
        .count(db.conn())
        .await
        .unwrap();
    db.close().await;
    // Everything handled before the exit was answered before the exit.
    eventually("the answers of what was handled", WAIT, || async {
        let answered: BTreeSet<String> = stream
            .observer
            .messages()
            .iter()
            .filter_map(|m| m.correlationid.clone())
            .collect();
        (answered.len() as u64 == handled).then_some(())
    })
    .await;

    stream.deployment.node_mut("booking").restart().await;
    stream.tally.note("handled before the stop", handled_before);
    stream.tally.note("handled at the exit", handled);
    let (tally, redelivered, skipped) = stream.finish().await;
    tally.assert_exactly_once();
    assert_eq!(redelivered, 0, "a graceful stop publishes each answer once");
    assert_eq!(
        skipped, 0.0,
        "everything handled before the stop was acknowledged, so none came back"
    );
}

/// Events placed in one space, created through the scheduler's API with this many requests in
/// flight at once.
const EVENTS: u32 = 150;
const CONCURRENCY: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_7_the_embedded_process_killed_mid_flow_delivers_everything_once_after_a_restart() {
    let mut deployment = Deployment::embedded().await;
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    let api = Api::new();
    let base = deployment.url("booking").to_string();
    let admin = api
        .login(&base, "admin@comune.test", "admin-password-1")
        .await;
    let space = open_space(&api, &base, &admin, "Teatro Filo").await;
    let mut tally =
        Tally::new("7 kill -9 of the embedded process mid-flow (SQLite, in-process bus)");

    // Each event asks booking for its slot over the in-process bus; booking answers back.
    let created: Vec<Uuid> = futures::stream::iter(0..EVENTS)
        .map(|n| {
            let (api, base, admin) = (api.clone(), base.clone(), admin.clone());
            async move {
                let starts = chrono::DateTime::parse_from_rfc3339("2031-01-06T08:00:00Z").unwrap()
                    + chrono::Duration::hours(2 * i64::from(n));
                let (status, event) = api
                    .post(
                        &format!("{base}/api/v1/events"),
                        Some(&admin),
                        &json!({
                            "title": format!("Evento {n}"), "description": "Fault suite",
                            "categories": ["music"], "time_zone": "Europe/Rome",
                            "starts_at": starts.to_rfc3339(),
                            "ends_at": (starts + chrono::Duration::hours(1)).to_rfc3339(),
                            "space_id": space
                        }),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{event}");
                event["id"].as_str().unwrap().parse::<Uuid>().unwrap()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    deployment.node_mut("piazza").kill().await;
    for event in &created {
        tally.sent(event);
    }

    // What the kill interrupted: rows still in the services' outboxes.
    let data = deployment.dir.path().join("data");
    let mut unpublished = 0;
    for service in ["scheduler", "booking"] {
        let db = Db::connect_sqlite(&data.join(format!("{service}.db")), 2)
            .await
            .unwrap();
        unpublished += outbox::backlog(db.conn()).await.unwrap().0;
        db.close().await;
    }
    deployment.node_mut("piazza").restart().await;

    let bookings = eventually("every event to hold its slot", WAIT, || async {
        let bookings = bookings_per_event(&api, &base, &admin, space).await;
        (bookings.len() == created.len()).then_some(bookings)
    })
    .await;
    for (event, times) in bookings {
        tally.effects(event, times);
    }
    // And booking's answer reached the scheduler: every event's space is confirmed.
    for event in &created {
        eventually("the event's space to be confirmed", WAIT, || async {
            let (_, view) = api
                .get(&format!("{base}/api/v1/events/{event}"), Some(&admin))
                .await;
            (view["space_status"] == "confirmed").then_some(())
        })
        .await;
    }
    tally.note("unpublished at the kill", unpublished);
    tally.assert_exactly_once();
    deployment.stop().await;
}
