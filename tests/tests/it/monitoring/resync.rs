//! An empty monitoring fills itself, with the real processes: distributed (PostgreSQL, RabbitMQ)
//! and embedded (SQLite, in-process bus). An operator's booking is approved and another only
//! requested; the monitoring counts the approved one. It stops, its facts are lost, and it
//! starts again: it asks every owner for what they hold (`piazza.resync.requested`, everything
//! it counts) and ends with the approved booking's dates again — not the request.

use super::{WAIT, facts_in};
use crate::faults::open_space;
use piazza_e2e::{
    api::Api,
    clock::{day_ahead, rome},
    deploy::Deployment,
    eventually,
};
use piazza_monitoring::db::facts::Model as Fact;
use piazza_shared::{contracts::resync::ResyncRequested, db::Db, settings::Settings};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

/// The monitoring's database of `deployment`.
async fn monitoring_db(deployment: &Deployment) -> Db {
    match &deployment.names {
        Some((prefix, _, _)) => Db::connect_postgres(
            &piazza_e2e::database_url(),
            &format!("{prefix}{}", piazza_monitoring::NAME),
            2,
        )
        .await
        .unwrap(),
        None => Db::connect_sqlite(
            &deployment
                .dir
                .path()
                .join("data")
                .join(format!("{}.db", piazza_monitoring::NAME)),
            1,
        )
        .await
        .unwrap(),
    }
}

async fn post(api: &Api, url: String, token: &str, body: Value) -> Value {
    let (status, answer) = api.post(&url, Some(token), &body).await;
    assert!(status.is_success(), "POST {url}: {status} {answer}");
    answer
}

/// The live space used in `space`, by booked date.
fn used_in(rows: &[Fact], space: Uuid) -> Vec<(Uuid, bool)> {
    rows.iter()
        .filter(|f| f.space_id == Some(space))
        .map(|f| (f.subject_id, f.live))
        .collect()
}

async fn an_empty_monitoring_fills_itself_from_the_owners(mut deployment: Deployment) {
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let (admin, operator) = deployment.admin_and_operator(&api, &booking).await;
    let space = open_space(&api, &booking, &admin, "Sala della Musica").await;
    let day = day_ahead();
    let book = |title: &str, from: &str, to: &str| {
        post(
            &api,
            format!("{booking}/api/v1/bookings"),
            &operator,
            json!({
                "space_id": space, "title": title, "attendees": 20,
                "starts_at": rome(day, from), "ends_at": rome(day, to),
                "recurrence": "FREQ=WEEKLY;COUNT=2",
            }),
        )
    };
    let approved = book("Prove del coro", "18:00", "20:00").await;
    book("Assemblea", "09:00", "10:00").await;
    post(
        &api,
        format!(
            "{booking}/api/v1/bookings/{}/approve",
            approved["id"].as_str().unwrap()
        ),
        &admin,
        json!({}),
    )
    .await;
    let db = monitoring_db(&deployment).await;
    let counted = eventually("the approved dates counted", WAIT, || async {
        let used = used_in(&facts_in(&db, "space_use").await, space);
        (used.len() == 2 && used.iter().all(|(_, live)| *live)).then_some(used)
    })
    .await;

    // The monitoring stops and its facts are lost.
    let name = if deployment.names.is_some() {
        piazza_monitoring::NAME
    } else {
        "piazza"
    };
    deployment.node_mut(name).terminate().await;
    db.conn()
        .execute_raw(Statement::from_string(
            db.backend(),
            "DELETE FROM monitoring_facts",
        ))
        .await
        .unwrap();
    assert!(facts_in(&db, "space_use").await.is_empty());
    db.close().await;
    // On RabbitMQ, a queue of the test's own hears the request.
    let tap = match &deployment.names {
        Some((_, namespace, queue_prefix)) => {
            let mut bus = Settings::from_toml("", &[]).unwrap().bus;
            bus.namespace = namespace.clone();
            bus.queue_prefix = queue_prefix.clone();
            Some(
                crate::scheduler::Tap::queue(
                    &bus,
                    piazza_e2e::infra::TAP,
                    vec!["resync.requested"],
                )
                .await,
            )
        }
        None => None,
    };

    // Started again, it asks, and counts the approved dates again, and only those.
    deployment.node_mut(name).restart().await;
    if let Some(tap) = &tap {
        let asked = tap
            .wait::<ResyncRequested>("the monitoring's request", |m| {
                m.requester == piazza_monitoring::NAME
            })
            .await;
        assert_eq!(
            asked.what,
            [
                "bookings",
                "holds",
                "events",
                "registrations",
                "seasons",
                "pathways",
                "tables",
                "ideas"
            ]
        );
    }
    let db = monitoring_db(&deployment).await;
    let back = eventually("the dates counted again", WAIT, || async {
        let used = used_in(&facts_in(&db, "space_use").await, space);
        (used.len() == 2).then_some(used)
    })
    .await;
    assert_eq!(
        back, counted,
        "the approved dates, live, and not the request"
    );
    db.close().await;
    drop(tap);
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_monitoring_fills_itself_from_the_owners_on_postgres_and_rabbitmq() {
    an_empty_monitoring_fills_itself_from_the_owners(Deployment::distributed().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_monitoring_fills_itself_from_the_owners_on_the_embedded_default() {
    an_empty_monitoring_fills_itself_from_the_owners(Deployment::embedded().await).await;
}
