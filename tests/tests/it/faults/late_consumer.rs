//! Nothing is lost for want of a queue (issue 12, finding 7), one process per service on
//! PostgreSQL and RabbitMQ.
//!
//! - A service started after messages for it were published: booking starts alone on a broker
//!   where nothing is declared yet, spaces are created, then the scheduler starts. Booking's own
//!   start declared every service's queue, so `space.created` waited in the scheduler's queue and
//!   each event placed in those spaces is published with its place.
//! - A message no queue takes: with the scheduler's queue deleted, then with its binding for
//!   `space.created` removed, under a running booking, the spaces created meanwhile are published
//!   `mandatory`, come back, stay in booking's outbox and go once the queue is there again.
//!
//! The count is per space: delivered when an event in it is published with its place.

use super::open_space;
use futures::future::join_all;
use lapin::{Connection, ConnectionProperties, options::QueueDeleteOptions, types::FieldTable};
use piazza_e2e::{
    api::Api, deploy::Deployment, eventually, infra, metrics, node::Node, observer::Observer,
    tally::Tally,
};
use piazza_shared::{bus::outbox, contracts::event::EventPublished, db::Db, envelope::Message};
use reqwest::StatusCode;
use serde_json::json;
use std::{collections::BTreeMap, time::Duration};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(60);
/// Spaces created while their consumer cannot hear of them, in each case.
const SPACES: usize = 6;

/// The deployment's names: schema prefix, namespace, queue prefix.
fn names(deployment: &Deployment) -> (String, String, String) {
    deployment.names.clone().expect("a distributed deployment")
}

/// Waits until booking's outbox is empty: the broker confirmed everything booking published.
async fn booking_outbox_drained(deployment: &Deployment) {
    let schema = format!("{}booking", names(deployment).0);
    let db = Db::connect_postgres(&piazza_e2e::database_url(), &schema, 2)
        .await
        .unwrap();
    eventually("booking's outbox to be empty", WAIT, || async {
        let (pending, _) = outbox::backlog(db.conn()).await.unwrap();
        (pending == 0).then_some(())
    })
    .await;
    db.close().await;
}

/// Creates `n` spaces at booking, named after `what`, and records them as sent.
async fn spaces(
    api: &Api,
    booking: &str,
    admin: &str,
    what: &str,
    n: usize,
    tally: &mut Tally,
) -> Vec<(Uuid, String)> {
    let mut made = Vec::new();
    for i in 0..n {
        let name = format!("Sala {what} {i}");
        let id = open_space(api, booking, admin, &name).await;
        tally.sent(id);
        made.push((id, name));
    }
    made
}

/// Places one event in each space at the scheduler, publishes it once booking confirmed the
/// slot, and counts the spaces whose event was published with the space as its place.
async fn publish_an_event_in_each(
    api: &Api,
    scheduler: &str,
    admin: &str,
    spaces: &[(Uuid, String)],
    observer: &Observer,
    tally: &mut Tally,
) {
    let events = join_all(spaces.iter().map(|(space, name)| async move {
        let (status, event) = api
            .post(
                &format!("{scheduler}/api/v1/events"),
                Some(admin),
                &json!({
                    "title": format!("Serata in {name}"), "description": "Musica dal vivo.",
                    "categories": ["music"], "age_min": 14, "age_max": 29,
                    "starts_at": "2031-02-04T18:00:00+01:00", "ends_at": "2031-02-04T20:00:00+01:00",
                    "time_zone": "Europe/Rome", "space_id": space
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
        let id = event["id"].as_str().unwrap().to_string();
        let url = format!("{scheduler}/api/v1/events/{id}");
        eventually("booking to confirm the slot", WAIT, || async {
            let (_, event) = api.get(&url, Some(admin)).await;
            (event["space_status"] == "confirmed").then_some(())
        })
        .await;
        let (status, published) = api
            .post(&format!("{url}/publish"), Some(admin), &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{published}");
        (id, *space, name.clone())
    }))
    .await;
    let messages = eventually("every event to be published", WAIT, || async {
        let messages: Vec<EventPublished> = observer
            .messages()
            .iter()
            .filter(|m| m.is::<EventPublished>())
            .filter_map(|m| m.decode::<EventPublished>().ok())
            .collect();
        (messages.len() >= events.len()).then_some(messages)
    })
    .await;
    for (event, space, name) in &events {
        let with_its_place = messages
            .iter()
            .filter(|m| m.event.event_id.to_string() == *event)
            .filter(|m| m.event.place.as_ref().is_some_and(|p| &p.name == name))
            .count();
        if with_its_place > 0 {
            tally.effects(space, with_its_place);
        }
    }
}

/// A process for `service` of `deployment`, started now.
async fn start(deployment: &mut Deployment, service: &str) {
    let node = Node::start(
        service,
        deployment.env.clone(),
        &["serve", service],
        deployment.dir.path(),
    )
    .await;
    deployment.nodes.push(node);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_a_service_started_after_messages_for_it_were_published_loses_none() {
    let mut tally = Tally::new("late consumer: the scheduler started after booking's spaces");
    let mut deployment = Deployment::distributed_services(&[], BTreeMap::new()).await;
    let (_, namespace, queue_prefix) = names(&deployment);
    // As on a first deployment whose broker nobody prepared (`piazza migrate` declares the
    // queues too): only booking's own start declares them.
    infra::delete_broker_objects(&piazza_e2e::amqp_url(), &namespace, &queue_prefix).await;
    start(&mut deployment, "booking").await;
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let admin = api
        .login(&booking, "admin@comune.test", "admin-password-1")
        .await;
    let made = spaces(&api, &booking, &admin, "prima", SPACES, &mut tally).await;
    booking_outbox_drained(&deployment).await;

    let observer = Observer::start(
        &piazza_e2e::amqp_url(),
        &namespace,
        &[EventPublished::routing_key()],
    )
    .await;
    start(&mut deployment, "scheduler").await;
    let scheduler = deployment.url("scheduler").to_string();
    publish_an_event_in_each(&api, &scheduler, &admin, &made, &observer, &mut tally).await;

    tally.assert_exactly_once();
    observer.stop().await;
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_a_message_no_queue_takes_stays_in_the_outbox_and_goes_once_the_queue_exists() {
    let mut tally = Tally::new("no queue bound: the scheduler's queue deleted, then unbound");
    let mut deployment = Deployment::distributed_services(&["booking"], BTreeMap::new()).await;
    let (_, namespace, queue_prefix) = names(&deployment);
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let admin = api
        .login(&booking, "admin@comune.test", "admin-password-1")
        .await;
    // Booking's publisher connects (its readiness check opens it), so the queue goes away under
    // a running publisher.
    let ready = piazza_e2e::http()
        .get(format!("{booking}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    // The queue deleted (while empty: deleting a queue deletes what it holds).
    let scheduler_queue = format!("{queue_prefix}scheduler");
    let broker = Connection::connect(&piazza_e2e::amqp_url(), ConnectionProperties::default())
        .await
        .unwrap();
    let channel = broker.create_channel().await.unwrap();
    channel
        .queue_delete(
            scheduler_queue.as_str().into(),
            QueueDeleteOptions::default(),
        )
        .await
        .unwrap();
    let mut made = spaces(&api, &booking, &admin, "senza coda", SPACES / 2, &mut tally).await;
    booking_outbox_drained(&deployment).await;

    // The queue there (holding the spaces above), but no longer bound to `space.created`. (Before
    // messages were mandatory nothing declared the queue again, and unbinding it fails.)
    let _ = channel
        .queue_unbind(
            scheduler_queue.as_str().into(),
            format!("{namespace}.events").as_str().into(),
            "space.created".into(),
            FieldTable::default(),
        )
        .await;
    made.extend(spaces(&api, &booking, &admin, "slegata", SPACES / 2, &mut tally).await);
    booking_outbox_drained(&deployment).await;
    let _ = broker.close(200, "done".into()).await;
    let returned = metrics::value(
        &metrics::scrape(&booking).await,
        "piazza_outbox_returned_total",
        &[("service", "booking"), ("type", "piazza.space.created")],
    );
    tally.note("returned to the outbox", returned);

    let observer = Observer::start(
        &piazza_e2e::amqp_url(),
        &namespace,
        &[EventPublished::routing_key()],
    )
    .await;
    start(&mut deployment, "scheduler").await;
    let scheduler = deployment.url("scheduler").to_string();
    publish_an_event_in_each(&api, &scheduler, &admin, &made, &observer, &mut tally).await;

    tally.assert_exactly_once();
    // Each case's first space came back at least once before its queue was there again.
    assert!(returned >= 2.0, "returned {returned}");
    observer.stop().await;
    deployment.stop().await;
}

#[tokio::test]
async fn piazza_migrate_declares_every_services_queue_before_any_service_starts() {
    let deployment = Deployment::distributed_services(&[], BTreeMap::new()).await;
    let (_, _, queue_prefix) = names(&deployment);
    let broker = Connection::connect(&piazza_e2e::amqp_url(), ConnectionProperties::default())
        .await
        .unwrap();
    for service in infra::SERVICES {
        for suffix in ["", ".retry", ".dead"] {
            let queue = format!("{queue_prefix}{service}{suffix}");
            // A passive declaration fails (and closes its channel) when the queue is missing.
            let channel = broker.create_channel().await.unwrap();
            let declared = channel
                .queue_declare(
                    queue.as_str().into(),
                    lapin::options::QueueDeclareOptions {
                        passive: true,
                        ..Default::default()
                    },
                    FieldTable::default(),
                )
                .await;
            assert!(
                declared.is_ok(),
                "{queue} after piazza migrate: {declared:?}"
            );
        }
    }
    let _ = broker.close(200, "done".into()).await;
    deployment.stop().await;
}
