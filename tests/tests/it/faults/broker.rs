//! The broker away: a RabbitMQ node of the test's own stopped and started again under a running
//! service (the ground fault 1 builds on), and the machine's broker cut off from a service by a
//! proxy, to watch how it waits: reconnects with backoff and jitter, no busy loop, the outbox
//! holding what it cannot publish (and `/metrics` saying how much and how old), `/readyz` naming
//! the bus, and nothing lost or doubled once the broker is back.

use super::{bookings_per_event, bus_settings, open_space, slot_request};
use piazza_e2e::{
    api::Api, broker::PrivateBroker, deploy::Deployment, eventually, metrics, proxy::Proxy,
    tally::Tally,
};
use piazza_shared::{
    bus::{Bus, amqp::AmqpBus, outbox},
    db::Db,
    secret::Secret,
};
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

const WAIT: Duration = Duration::from_secs(60);

/// An administrator's token at `booking`.
async fn admin(deployment: &Deployment, api: &Api) -> String {
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    api.login(
        deployment.url("booking"),
        "admin@comune.test",
        "admin-password-1",
    )
    .await
}

async fn outbox_rows(deployment: &Deployment) -> u64 {
    let schema = format!("{}booking", deployment.names.as_ref().unwrap().0);
    let db = Db::connect_postgres(&piazza_e2e::database_url(), &schema, 1)
        .await
        .unwrap();
    let (rows, _) = outbox::backlog(db.conn()).await.unwrap();
    db.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_survives_a_restart_of_its_broker_with_nothing_lost_or_doubled() {
    let mut broker = PrivateBroker::start().await;
    let first_start = broker.last_start;
    let deployment = Deployment::distributed_services(
        &["booking"],
        BTreeMap::from([
            ("PIAZZA_AMQP_URL".to_string(), broker.url()),
            ("PIAZZA_BUS__PREFETCH".into(), "8".into()),
        ]),
    )
    .await;
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let admin = admin(&deployment, &api).await;
    let space = open_space(&api, &booking, &admin, "Sala Puerari").await;
    let (_, namespace, queue_prefix) = deployment.names.clone().unwrap();
    let bus = AmqpBus::new(
        Secret::new(broker.url()),
        bus_settings(&namespace, &queue_prefix),
        "fault-test",
    );
    let mut tally = Tally::new("broker restarted under booking (private RabbitMQ node)");
    for n in 0..200 {
        let (event, request) = slot_request(space, n);
        bus.publish(&request).await.unwrap();
        tally.sent(event);
    }
    let handled_before = eventually("a third of the requests to be handled", WAIT, || async {
        let handled = bookings_per_event(&api, &booking, &admin, space)
            .await
            .len();
        (handled >= 66).then_some(handled)
    })
    .await;

    let stopped = Instant::now();
    broker.stop().await;
    broker.start_again().await;
    let away = stopped.elapsed();

    let bookings = eventually("every request to be handled", WAIT, || async {
        let bookings = bookings_per_event(&api, &booking, &admin, space).await;
        (bookings.len() == 200).then_some(bookings)
    })
    .await;
    eventually(
        "booking's outbox to drain after the restart",
        WAIT,
        || async { (outbox_rows(&deployment).await == 0).then_some(()) },
    )
    .await;
    for (event, times) in bookings {
        tally.effects(event, times);
    }
    tally.note("handled before the restart", handled_before);
    tally.note("broker away (ms)", away.as_millis());
    tally.note("broker start (ms)", first_start.as_millis());
    tally.assert_exactly_once();
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_broker_is_away_a_service_backs_off_keeps_its_outbox_and_says_so() {
    let (proxy, proxied) = Proxy::in_front_of(&piazza_e2e::amqp_url()).await;
    let deployment = Deployment::distributed_services(
        &["booking"],
        BTreeMap::from([("PIAZZA_AMQP_URL".to_string(), proxied)]),
    )
    .await;
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let admin = admin(&deployment, &api).await;
    let space = open_space(&api, &booking, &admin, "Sala Borsa").await;
    let (_, namespace, queue_prefix) = deployment.names.clone().unwrap();
    let queue = format!("{queue_prefix}booking");
    let mut tally = Tally::new("broker cut off from booking (proxy)");

    proxy.cut();
    let cut_at = Instant::now();
    // Work keeps coming: requests queue up in the broker, booking's own changes in its outbox.
    let bus = AmqpBus::new(
        Secret::new(piazza_e2e::amqp_url()),
        bus_settings(&namespace, &queue_prefix),
        "fault-test",
    );
    for n in 0..50 {
        let (event, request) = slot_request(space, n);
        bus.publish(&request).await.unwrap();
        tally.sent(event);
    }
    for n in 0..3 {
        open_space(&api, &booking, &admin, &format!("Aperta senza broker {n}")).await;
    }
    let (status, ready) = api.get(&format!("{booking}/readyz"), None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    let bus_check = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "bus:rabbitmq")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(bus_check["ok"], false, "{ready}");
    assert_eq!(
        ready["checks"][0]["name"], "database:booking",
        "the database is listed too"
    );
    assert_eq!(ready["checks"][0]["ok"], true);
    // The outbox keeps what it cannot publish, and /metrics says how much and for how long.
    let text = eventually("the outbox lag to pass 3 s", WAIT, || async {
        let text = metrics::scrape(&booking).await;
        let lag = metrics::value(
            &text,
            "piazza_outbox_lag_seconds",
            &[("service", "booking")],
        );
        (lag >= 3.0).then_some(text)
    })
    .await;
    let window = cut_at.elapsed();
    let attempts = proxy.refused();
    assert!(
        metrics::value(&text, "piazza_outbox_pending", &[("service", "booking")]) >= 3.0,
        "{text}"
    );
    assert!(
        metrics::value(
            &text,
            "piazza_outbox_publish_failures_total",
            &[("service", "booking")]
        ) >= 1.0
    );
    assert!(metrics::value(&text, "piazza_bus_reconnects_total", &[("queue", &queue)]) >= 1.0);
    // The consumer, the relay and the one readiness probe above retry with backoff (about
    // 0.2 s doubling to 30 s, ±50%): a handful of attempts each over a few seconds. A busy loop
    // would make thousands.
    assert!(
        attempts <= 30,
        "{attempts} connection attempts in {window:?} while the broker was away"
    );

    proxy.restore();
    let bookings = eventually(
        "every request to be handled after the broker is back",
        WAIT,
        || async {
            let bookings = bookings_per_event(&api, &booking, &admin, space).await;
            (bookings.len() == 50).then_some(bookings)
        },
    )
    .await;
    eventually("the outbox to drain", WAIT, || async {
        let text = metrics::scrape(&booking).await;
        let pending = metrics::value(&text, "piazza_outbox_pending", &[("service", "booking")]);
        let lag = metrics::value(
            &text,
            "piazza_outbox_lag_seconds",
            &[("service", "booking")],
        );
        (pending == 0.0 && lag == 0.0).then_some(())
    })
    .await;
    let (status, _) = api.get(&format!("{booking}/readyz"), None).await;
    assert_eq!(status, StatusCode::OK);
    for (event, times) in bookings {
        tally.effects(event, times);
    }
    tally.note("broker away (ms)", window.as_millis());
    tally.note("connection attempts meanwhile", attempts);
    tally.assert_exactly_once();
    deployment.stop().await;
}
