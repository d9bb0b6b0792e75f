//! A lost read model fills itself again (the planner's copy of the operators' bookings), with the
//! real processes: distributed (PostgreSQL, RabbitMQ) and embedded (SQLite, in-process bus). An
//! operator holds a single request, an approved weekly series and a cancelled booking, and an
//! administrator's event holds the same space; the scheduler stops, its copy of the bookings is
//! wiped, and it starts again: it asks booking for a resync and ends with exactly the bookings
//! that hold their slots, as booking stores them — not the cancelled one, not the event's hold —
//! and no operator is emailed a second time.

use crate::faults::open_space;
use piazza_e2e::{
    api::Api,
    clock::{day_ahead, rome},
    deploy::Deployment,
    eventually,
};
use piazza_shared::db::Db;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::{collections::BTreeSet, time::Duration};

const WAIT: Duration = Duration::from_secs(60);

/// The scheduler's database, or booking's, of `deployment`.
async fn db_of(deployment: &Deployment, service: &str) -> Db {
    match &deployment.names {
        Some((prefix, _, _)) => Db::connect_postgres(
            &piazza_e2e::database_url(),
            &format!("{prefix}{service}"),
            2,
        )
        .await
        .unwrap(),
        None => Db::connect_sqlite(
            &deployment
                .dir
                .path()
                .join("data")
                .join(format!("{service}.db")),
            1,
        )
        .await
        .unwrap(),
    }
}

/// `(id, status)` of every row `sql` selects.
async fn rows(db: &Db, sql: &str) -> BTreeSet<(String, String)> {
    db.conn()
        .query_all_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            let id: uuid::Uuid = row.try_get("", "id").unwrap();
            let status: String = row.try_get("", "status").unwrap();
            (id.to_string(), status)
        })
        .collect()
}

/// How many emails have gone out once none has come for three seconds.
async fn settled_emails(deployment: &Deployment) -> usize {
    let mut seen = deployment.mailbox.messages().len();
    loop {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = deployment.mailbox.messages().len();
        if now == seen {
            return now;
        }
        seen = now;
    }
}

async fn post(api: &Api, url: String, token: &str, body: Value) -> Value {
    let (status, answer) = api.post(&url, Some(token), &body).await;
    assert!(status.is_success(), "POST {url}: {status} {answer}");
    answer
}

async fn a_lost_copy_of_the_bookings_comes_back(mut deployment: Deployment) {
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    let scheduler = deployment.url("scheduler").to_string();
    let (admin, operator) = deployment.admin_and_operator(&api, &booking).await;
    let space = open_space(&api, &booking, &admin, "Sala della Musica").await;
    let day = day_ahead();
    let book = |title: &str, from: &str, to: &str, recurrence: Option<&str>| {
        let mut body = json!({
            "space_id": space, "title": title, "attendees": 20,
            "starts_at": rome(day, from), "ends_at": rome(day, to),
        });
        if let Some(rule) = recurrence {
            body["recurrence"] = json!(rule);
        }
        post(&api, format!("{booking}/api/v1/bookings"), &operator, body)
    };
    book("Assemblea", "09:00", "10:00", None).await;
    let series = book(
        "Prove del coro",
        "18:00",
        "20:00",
        Some("FREQ=WEEKLY;COUNT=3"),
    )
    .await;
    post(
        &api,
        format!(
            "{booking}/api/v1/bookings/{}/approve",
            series["id"].as_str().unwrap()
        ),
        &admin,
        json!({}),
    )
    .await;
    let gone = book("Riunione annullata", "11:00", "12:00", None).await;
    post(
        &api,
        format!(
            "{booking}/api/v1/bookings/{}/cancel",
            gone["id"].as_str().unwrap()
        ),
        &operator,
        json!({}),
    )
    .await;
    let (status, event) = api
        .post(
            &format!("{scheduler}/api/v1/events"),
            Some(&admin),
            &json!({
                "title": "Concerto", "categories": ["music"], "space_id": space,
                "starts_at": rome(day, "21:00"), "ends_at": rome(day, "23:00"),
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");

    // What booking holds for operators, and what the scheduler's copy shows once it has heard.
    let booking_db = db_of(&deployment, "booking").await;
    let live = rows(
        &booking_db,
        "SELECT id, status FROM bookings WHERE event_id IS NULL AND status IN ('requested', 'approved')",
    )
    .await;
    assert_eq!(live.len(), 4, "{live:?}");
    eventually("the event's hold", WAIT, || async {
        let holds = rows(
            &booking_db,
            "SELECT id, status FROM bookings WHERE event_id IS NOT NULL",
        )
        .await;
        (holds.len() == 1).then_some(())
    })
    .await;
    let copy = "SELECT id, status FROM booked WHERE status IN ('requested', 'approved')";
    let scheduler_db = db_of(&deployment, "scheduler").await;
    eventually("the scheduler's copy", WAIT, || async {
        (rows(&scheduler_db, copy).await == live).then_some(())
    })
    .await;
    let emails_before = settled_emails(&deployment).await;

    // The scheduler stops and its copy is lost.
    let name = if deployment.names.is_some() {
        "scheduler"
    } else {
        "piazza"
    };
    deployment.node_mut(name).terminate().await;
    scheduler_db
        .conn()
        .execute_raw(Statement::from_string(
            scheduler_db.backend(),
            "DELETE FROM booked",
        ))
        .await
        .unwrap();
    assert!(rows(&scheduler_db, copy).await.is_empty());
    scheduler_db.close().await;

    // Started again, it asks, and ends with exactly what booking holds.
    deployment.node_mut(name).restart().await;
    let scheduler_db = db_of(&deployment, "scheduler").await;
    eventually("the copy to come back", WAIT, || async {
        (rows(&scheduler_db, copy).await == live).then_some(())
    })
    .await;
    let all = rows(&scheduler_db, "SELECT id, status FROM booked").await;
    assert_eq!(
        all, live,
        "no cancelled booking and no event's hold come back"
    );
    // Snapshots are not news: nobody is emailed again.
    assert_eq!(settled_emails(&deployment).await, emails_before);
    scheduler_db.close().await;
    booking_db.close().await;
    deployment.stop().await;
}

#[tokio::test]
async fn a_lost_copy_of_the_bookings_comes_back_on_postgres_and_rabbitmq() {
    a_lost_copy_of_the_bookings_comes_back(Deployment::distributed().await).await;
}

#[tokio::test]
async fn a_lost_copy_of_the_bookings_comes_back_on_the_embedded_default() {
    a_lost_copy_of_the_bookings_comes_back(Deployment::embedded().await).await;
}
