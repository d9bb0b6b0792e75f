//! Fault 4: PostgreSQL lost and back. The scheduler reaches its database through a proxy the test
//! cuts: while it is cut, requests get a quick 503 problem+json (not a hang), `/readyz` names the
//! database that is down, and messages for the scheduler wait in its queue, held by the consumer
//! without using up their attempts (no dead letters). Once the proxy is restored the scheduler
//! serves again without a restart and every message arrives.

use super::open_space;
use piazza_e2e::{
    api::Api, deploy::Deployment, eventually, infra, metrics, node::Node, observer::Observer,
    proxy::Proxy, tally::Tally,
};
use piazza_shared::{bus::inbox, db::Db};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

const WAIT: Duration = Duration::from_secs(30);

/// A request made while the database is away: its status, body and how long the answer took.
async fn during_the_gap(
    api: &Api,
    method: reqwest::Method,
    url: &str,
    token: &str,
) -> (Value, Duration) {
    let started = Instant::now();
    let mut request = api.raw().request(method, url).bearer_auth(token);
    if url.ends_with("/events") {
        request = request.json(&json!({
            "title": "Durante il guasto", "description": "Prove aperte", "categories": ["music"],
            "starts_at": "2031-02-01T18:00:00+01:00", "ends_at": "2031-02-01T20:00:00+01:00"
        }));
    }
    let response = request.send().await.expect("an answer, not a hang");
    let took = started.elapsed();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{url}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert!(response.headers().contains_key("retry-after"));
    let problem: Value = response.json().await.unwrap();
    assert_eq!(
        problem["type"], "urn:piazza:problem:unavailable",
        "{problem}"
    );
    (problem, took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_4_postgres_lost_and_back_gets_503s_meanwhile_and_recovers_without_a_restart() {
    let mut deployment = Deployment::distributed_services(&["booking"], BTreeMap::new()).await;
    let (proxy, proxied) = Proxy::in_front_of(&piazza_e2e::database_url()).await;
    let mut env = deployment.env.clone();
    env.insert("PIAZZA_DATABASE_URL".into(), proxied);
    let scheduler_node = Node::start(
        "scheduler",
        env,
        &["serve", "scheduler"],
        deployment.dir.path(),
    )
    .await;
    deployment.nodes.push(scheduler_node);
    let (schema_prefix, namespace, queue_prefix) = deployment.names.clone().unwrap();
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let scheduler = deployment.url("scheduler").to_string();
    let admin = api
        .login(&booking, "admin@comune.test", "admin-password-1")
        .await;
    let observer = Observer::start(&piazza_e2e::amqp_url(), &namespace, &["space.created"]).await;
    let mut tally = Tally::new("4 PostgreSQL lost and back (scheduler through a cut proxy)");
    open_space(&api, &booking, &admin, "Prima del guasto").await;

    proxy.cut();
    // Requests: a quick 503, never a hang.
    let mut slowest = Duration::ZERO;
    for (method, path) in [
        (
            reqwest::Method::GET,
            "/api/v1/events?from=2031-01-01&to=2031-12-31",
        ),
        (reqwest::Method::POST, "/api/v1/events"),
        (reqwest::Method::GET, "/api/v1/seasons"),
    ] {
        let (_, took) = during_the_gap(&api, method, &format!("{scheduler}{path}"), &admin).await;
        slowest = slowest.max(took);
    }
    // An administrator is told why a check failed.
    let (status, ready) = api.get(&format!("{scheduler}/readyz"), Some(&admin)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    let checks: BTreeMap<&str, &Value> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c))
        .collect();
    assert_eq!(checks["database:scheduler"]["ok"], false);
    assert!(checks["database:scheduler"]["error"].is_string());
    assert_eq!(
        checks["bus:rabbitmq"]["ok"], true,
        "only the database is down"
    );

    // Booking goes on; its messages wait for the scheduler.
    for n in 0..10 {
        open_space(&api, &booking, &admin, &format!("Durante il guasto {n}")).await;
    }
    let queue = format!("{queue_prefix}scheduler");
    eventually(
        "the scheduler to hold a message while its database is away",
        WAIT,
        || async {
            let text = metrics::scrape(&scheduler).await;
            (metrics::value(
                &text,
                "piazza_messages_deferred_total",
                &[("queue", &queue)],
            ) > 0.0)
                .then_some(())
        },
    )
    .await;

    proxy.restore();
    eventually("the scheduler to be ready again", WAIT, || async {
        let (status, _) = api.get(&format!("{scheduler}/readyz"), None).await;
        (status == StatusCode::OK).then_some(())
    })
    .await;
    let (status, body) = api
        .get(
            &format!("{scheduler}/api/v1/events?from=2031-01-01&to=2031-12-31"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "served again without a restart: {body}"
    );
    open_space(&api, &booking, &admin, "Dopo il guasto").await;

    // Every space.created booking published reached the scheduler's inbox.
    let scheduler_db = Db::connect_postgres(
        &piazza_e2e::database_url(),
        &format!("{schema_prefix}scheduler"),
        2,
    )
    .await
    .unwrap();
    let sent = eventually("booking's 12 announcements", WAIT, || async {
        let sent = observer.messages();
        (sent.len() == 12).then_some(sent)
    })
    .await;
    for message in &sent {
        tally.sent(message.id);
    }
    eventually("the scheduler to handle all of them", WAIT, || async {
        let handled = inbox::entity::Entity::find()
            .filter(inbox::entity::Column::EventType.eq("piazza.space.created"))
            .all(scheduler_db.conn())
            .await
            .unwrap();
        (handled.len() == sent.len()).then_some(())
    })
    .await;
    for row in inbox::entity::Entity::find()
        .all(scheduler_db.conn())
        .await
        .unwrap()
    {
        if row.event_type == "piazza.space.created" {
            tally.effect(row.message_id);
        }
    }
    assert_eq!(
        infra::queue_depth(&format!("{queue}.dead")).await,
        0,
        "an outage parks nothing"
    );
    let deferred = metrics::value(
        &metrics::scrape(&scheduler).await,
        "piazza_messages_deferred_total",
        &[("queue", &queue)],
    );
    tally.note("503 answers in the gap", 3);
    tally.note("slowest 503 (ms)", slowest.as_millis());
    tally.note("holds while away", deferred);
    tally.note("connections refused while cut", proxy.refused());
    tally.assert_exactly_once();
    scheduler_db.close().await;
    observer.stop().await;
    deployment.stop().await;
}
