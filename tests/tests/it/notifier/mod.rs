//! The notifier, end to end on PostgreSQL, RabbitMQ and a real SMTP server: subscribing and its
//! bad input, preferences and one-click unsubscribe, event emails in both languages with their
//! headers, exactly one email for a message seen twice, registrations and reminders with an
//! `.ics` read by an independent parser, changes to events, the weekly digest and the outreach
//! report.

mod digest;
mod events;
mod notices;
mod registrations;
mod reports;
mod subscriptions;

use piazza_e2e::{ServiceSections, app::TestApp, eventually, mail::Email};
use piazza_shared::{Envelope, bus::Bus, bus::amqp::AmqpBus, secret::Secret};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// How long anything asynchronous may take.
pub const WAIT: Duration = Duration::from_secs(30);

/// All three services on PostgreSQL, RabbitMQ and the test's SMTP server, the cron jobs left to
/// the test's own clock.
pub async fn app() -> TestApp {
    TestApp::builder()
        .postgres()
        .rabbitmq()
        .smtp()
        .settings(|s| s.scheduler().jobs_enabled = false)
        .spawn()
        .await
}

/// `link` (made with the app's public URL, whose port is 0 in tests) pointed at the running app.
pub fn local(app: &TestApp, link: &str) -> String {
    let mut url = url::Url::parse(link).unwrap();
    let base = url::Url::parse(&app.base).unwrap();
    url.set_port(base.port()).unwrap();
    url.to_string()
}

/// Waits for an email to `to` whose subject contains `subject`.
pub async fn email(app: &TestApp, to: &str, subject: &str) -> Email {
    eventually(&format!("an email to {to} about {subject}"), WAIT, || {
        let found = app
            .mailbox
            .to(to)
            .into_iter()
            .find(|e| e.subject.contains(subject));
        async move { found }
    })
    .await
}

/// Emails to `to` so far.
pub fn count_to(app: &TestApp, to: &str) -> usize {
    app.mailbox.to(to).len()
}

/// Subscribes with `body`; returns the status and answer.
pub async fn subscribe(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/subscribers", None, &body).await
}

/// A confirmed subscriber: subscribes, follows the confirmation link, returns the confirmation.
pub async fn subscriber(
    app: &TestApp,
    email_address: &str,
    interests: &[&str],
    language: &str,
    frequency: &str,
) -> Email {
    let (status, body) = subscribe(
        app,
        json!({
            "email": email_address, "interests": interests, "birth_year": 2006,
            "language": language, "frequency": frequency
        }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let subject = if language == "en" {
        "Confirm"
    } else {
        "Conferma"
    };
    let confirmation = email(app, email_address, subject).await;
    let link = local(app, &confirmation.link("/subscriptions/confirm").unwrap());
    // The link's page asks; its button (a POST to the same address) confirms.
    let page = app.api.raw().post(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    confirmation
}

/// The manage link of an email to a subscriber, pointed at the app.
pub fn manage_link(app: &TestApp, email: &Email) -> String {
    local(
        app,
        &email.link("/subscriptions/manage").expect("a manage link"),
    )
}

/// Publishes `envelope` on the app's exchange, as another service would.
pub async fn publish(app: &TestApp, envelope: &Envelope) {
    let bus = AmqpBus::new(
        Secret::new(piazza_e2e::amqp_url()),
        app.settings.bus.clone(),
        "test",
    );
    bus.publish(envelope).await.unwrap();
}

/// Creates and publishes an event that needs no space; returns its id.
pub async fn published_event(app: &TestApp, admin: &str, body: Value) -> String {
    let (status, created) = app.post("/api/v1/events", Some(admin), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, answer) = app
        .post(
            &format!("/api/v1/events/{id}/publish"),
            Some(admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    id
}
