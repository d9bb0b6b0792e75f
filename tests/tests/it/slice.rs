//! The thin slice through all three services, end to end: an admin creates a space, an operator
//! books it and hears of the approval by email, the admin places an event there (the scheduler
//! gets the slot from booking over the bus) and publishes it, and a young person who subscribed
//! and confirmed through the emailed link gets the event email.

use piazza_e2e::{api::Api, deploy::Deployment, eventually, mail::Email};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

async fn email_matching(
    deployment: &Deployment,
    what: &str,
    predicate: impl Fn(&Email) -> bool,
) -> Email {
    eventually(what, WAIT, || {
        let found = deployment
            .mailbox
            .messages()
            .into_iter()
            .find(|e| predicate(e));
        async move { found }
    })
    .await
}

async fn the_slice(deployment: &Deployment) {
    let api = Api::new();
    let booking = deployment.url("booking");
    let scheduler = deployment.url("scheduler");
    let notifier = deployment.url("notifier");
    let (admin, operator) = deployment.admin_and_operator(&api, booking).await;

    // An admin creates a space.
    let (status, space) = api
        .post(
            &format!("{booking}/api/v1/spaces"),
            Some(&admin),
            &json!({
                "name": "Sala delle Colonne", "building": "Palazzo Affaitati", "address": "Via Ugolani Dati 4, Cremona",
                "kind": "hall", "capacity": 120, "equipment": ["projector", "stage"], "time_zone": "Europe/Rome",
                "opening_hours": [
                    { "weekday": "tue", "opens": "09:00", "closes": "23:00" },
                    { "weekday": "fri", "opens": "09:00", "closes": "23:00" }
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{space}");
    let space_id = space["id"].as_str().expect("space id").to_string();

    // An operator requests a booking; the admin approves it; the operator is emailed.
    let (status, requested) = api
        .post(
            &format!("{booking}/api/v1/bookings"),
            Some(&operator),
            &json!({
                "space_id": space_id, "title": "Prove del coro", "attendees": 30,
                "starts_at": "2027-03-02T18:00:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{requested}");
    assert_eq!(requested["status"], "requested");
    let booking_id = requested["id"].as_str().expect("booking id").to_string();
    let (status, approved) = api
        .post(
            &format!("{booking}/api/v1/bookings/{booking_id}/approve"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    let mail = email_matching(deployment, "the operator's approval email", |e| {
        e.to == "ops@arci.test"
    })
    .await;
    assert!(
        mail.subject.contains("Prenotazione approvata"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Prove del coro"));
    assert!(
        mail.text.contains("martedì 2 marzo 2027, 18:00–20:00"),
        "{}",
        mail.text
    );

    // A young person subscribes; nothing but the confirmation is sent until they confirm.
    let (status, body) = api
        .post(
            &format!("{notifier}/api/v1/subscribers"),
            None,
            &json!({ "email": "giulia@example.org", "interests": ["music", "theatre"], "birth_year": 2006, "language": "it", "frequency": "instant" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let confirmation = email_matching(deployment, "the confirmation email", |e| {
        e.to == "giulia@example.org"
    })
    .await;
    assert!(
        confirmation.subject.contains("Conferma"),
        "{}",
        confirmation.subject
    );
    assert!(
        confirmation.header("List-Unsubscribe").is_none(),
        "a confirmation is not a newsletter"
    );
    let confirm_link = confirmation
        .link("/subscriptions/confirm")
        .expect("confirmation link");
    // The link's page asks; its button (a POST to the same address) confirms.
    let page = api
        .raw()
        .post(&confirm_link)
        .send()
        .await
        .expect("confirm request");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap_or_default()
            .contains("Iscrizione confermata")
    );

    // The admin places an event in the space; the scheduler obtains the slot from booking.
    let (status, event) = api
        .post(
            &format!("{scheduler}/api/v1/events"),
            Some(&admin),
            &json!({
                "title": "Concerto dei licei", "description": "Le band dei licei cremonesi in concerto.",
                "categories": ["music"], "age_min": 14, "age_max": 29,
                "starts_at": "2027-03-05T21:00:00+01:00", "ends_at": "2027-03-05T23:00:00+01:00",
                "time_zone": "Europe/Rome", "space_id": space_id
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["status"], "draft");
    assert_eq!(event["space_status"], "pending");
    let event_id = event["id"].as_str().expect("event id").to_string();
    let event_url = format!("{scheduler}/api/v1/events/{event_id}");
    let confirmed = eventually("the slot to be confirmed by booking", WAIT, || {
        let api = api.clone();
        let (url, token) = (event_url.clone(), admin.clone());
        async move {
            let (_, event) = api.get(&url, Some(&token)).await;
            (event["space_status"] == "confirmed").then_some(event)
        }
    })
    .await;
    assert_eq!(confirmed["place"]["name"], "Sala delle Colonne");
    let (status, holds) = api
        .get(
            &format!("{booking}/api/v1/bookings?event_id={event_id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(holds["items"][0]["status"], "approved", "{holds}");

    // Published, the event reaches the subscriber whose interests and age match.
    let (status, published) = api
        .post(
            &format!("{scheduler}/api/v1/events/{event_id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["status"], "published");
    let news = email_matching(deployment, "the event email", |e| {
        e.to == "giulia@example.org" && e.subject.contains("Concerto dei licei")
    })
    .await;
    assert!(
        news.text.contains("venerdì 5 marzo 2027, 21:00–23:00"),
        "{}",
        news.text
    );
    assert!(news.text.contains("Sala delle Colonne"));
    let unsubscribe = news.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert!(
        unsubscribe.contains("/subscriptions/unsubscribe?token="),
        "{unsubscribe}"
    );
    assert_eq!(
        news.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    let (status, calendar) = api
        .get(
            &format!("{scheduler}/api/v1/events?from=2027-03-01&to=2027-03-31"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        calendar["items"][0]["title"], "Concerto dei licei",
        "{calendar}"
    );

    // Every email went out exactly once.
    let all = deployment.mailbox.messages();
    let to_giulia = all.iter().filter(|e| e.to == "giulia@example.org").count();
    assert_eq!(to_giulia, 2, "one confirmation and one event email");
    assert_eq!(all.iter().filter(|e| e.to == "ops@arci.test").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slice_works_across_three_services_on_rabbitmq_postgres_and_smtp() {
    let deployment = Deployment::distributed().await;
    the_slice(&deployment).await;
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slice_works_in_the_embedded_mode() {
    let deployment = Deployment::embedded().await;
    the_slice(&deployment).await;
    deployment.stop().await;
}
