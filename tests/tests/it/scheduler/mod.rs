//! The scheduler, end to end: seasons and series across clock changes, the slot saga with booking
//! on RabbitMQ, registrations and waitlists, calls for ideas, the clash view, cron jobs driven
//! with an explicit clock, the public calendar read by an independent iCalendar parser, feeds
//! imported from a real local HTTP server, and bad input.

mod calendar;
mod calls;
mod clashes;
mod ideas;
mod import;
mod jobs;
mod monitoring_feed;
mod own_booking;
pub(crate) mod pathways;
mod recurrence;
mod registrations;
mod resync;
mod saga;
mod validation;

use async_trait::async_trait;
use piazza_e2e::{app::TestApp, eventually};
use piazza_scheduler::state::AppState;
use piazza_shared::{
    Envelope, Message,
    auth::Keys,
    bus::{Bus, Consumer, HandleError, Subscription, amqp::AmqpBus, outbox::Outbox},
    secret::Secret,
    settings::BusSettings,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio_util::sync::CancellationToken;

/// How long anything asynchronous may take.
pub const WAIT: Duration = Duration::from_secs(20);

/// Booking and the scheduler only: the notifier's queue is free for a [`Tap`].
pub const BOOKING_AND_SCHEDULER: [piazza_shared::runtime::ServiceDef; 2] =
    [piazza_booking::SERVICE, piazza_scheduler::SERVICE];

/// A queue of the test's own on RabbitMQ, bound to everything the scheduler tells others, so a
/// test reads the messages the notifier would get. It takes the notifier's queue name, so the
/// app must run without the notifier (and removes the queue when it stops).
pub struct Tap {
    seen: Arc<Mutex<Vec<Envelope>>>,
    stop: CancellationToken,
}

struct Recorder(Arc<Mutex<Vec<Envelope>>>);

#[async_trait]
impl Consumer for Recorder {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        self.0.lock().unwrap().push(envelope);
        Ok(())
    }
}

impl Tap {
    pub async fn start(app: &TestApp) -> Self {
        Self::on(&app.settings.bus).await
    }

    /// A tap on the exchange and queue names of `settings`.
    pub async fn on(settings: &BusSettings) -> Self {
        let bindings = vec![
            "event.*",
            "registration.*",
            "reminder.*",
            "digest.*",
            "call.*",
            "proposal.*",
            "scheduling.*",
            "pathway.*",
        ];
        Self::queue(settings, "notifier", bindings).await
    }

    /// A tap with a queue of its own, `name`, bound to `bindings`: it runs beside every service
    /// (for messages no service consumes yet, such as those the monitoring will count).
    pub async fn queue(
        settings: &BusSettings,
        name: &'static str,
        bindings: Vec<&'static str>,
    ) -> Self {
        let bus = Arc::new(AmqpBus::new(
            Secret::new(piazza_e2e::amqp_url()),
            settings.clone(),
            "tap",
        ));
        let subscription = Subscription::new(settings, name, bindings);
        bus.declare(&subscription).await.unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = CancellationToken::new();
        let recorder = Arc::new(Recorder(seen.clone()));
        let token = stop.clone();
        tokio::spawn(async move { bus.consume(subscription, recorder, token).await });
        Self { seen, stop }
    }

    /// Every envelope seen so far, in arrival order.
    pub fn envelopes(&self) -> Vec<Envelope> {
        self.seen.lock().unwrap().clone()
    }

    /// Every message of type `M` seen so far.
    pub fn all<M: Message>(&self) -> Vec<M> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.event_type == M::TYPE)
            .map(|e| e.decode::<M>().unwrap())
            .collect()
    }

    /// Waits for a message of type `M` that `matches`.
    pub async fn wait<M: Message + Clone>(&self, what: &str, matches: impl Fn(&M) -> bool) -> M {
        eventually(what, WAIT, || {
            let found = self.all::<M>().into_iter().find(|m| matches(m));
            async move { found }
        })
        .await
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The scheduler's state as a second process would build it, to drive its jobs with an explicit
/// clock. Its outbox rows are published by the app's relay.
pub async fn scheduler_state(app: &TestApp) -> AppState {
    AppState::new(
        app.db("scheduler").await,
        Outbox::new("scheduler"),
        Keys::from_settings(&app.settings).unwrap(),
        std::sync::Arc::new(piazza_scheduler::config::Settings::new(app.settings.clone()).unwrap()),
    )
}

/// An administrator's token signed with the app's key, for apps without booking (where accounts
/// live).
pub fn admin_token(app: &TestApp) -> String {
    use piazza_shared::auth::{Claims, Role, caller::API_TOKEN};
    Keys::from_settings(&app.settings).unwrap().sign(
        API_TOKEN,
        &Claims {
            sub: uuid::Uuid::now_v7(),
            email: "admin@comune.test".into(),
            role: Role::Admin,
            org: None,
            org_name: None,
            sid: None,
            sv: 0,
            sectors: Vec::new(),
        },
        piazza_e2e::clock::now() + chrono::Duration::hours(1),
    )
}

/// Posts and expects `status`; returns the body.
pub async fn expect(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
    status: StatusCode,
) -> Value {
    let (got, answer) = app.post(path, token, &body).await;
    assert_eq!(got, status, "POST {path}: {answer}");
    answer
}

/// A season for 2027.
pub async fn season(app: &TestApp, admin: &str) -> String {
    let season = expect(
        app,
        "/api/v1/seasons",
        Some(admin),
        json!({ "name": "Stagione 2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31" }),
        StatusCode::CREATED,
    )
    .await;
    season["id"].as_str().unwrap().to_string()
}

/// A space in booking, open at all times.
pub async fn space(app: &TestApp, admin: &str, name: &str) -> String {
    let space = expect(
        app,
        "/api/v1/spaces",
        Some(admin),
        json!({
            "name": name, "building": "Palazzo Affaitati", "address": "Via Ugolani Dati 4, Cremona",
            "kind": "hall", "capacity": 100, "equipment": [], "accessibility": [],
            "time_zone": "Europe/Rome", "opening_hours": []
        }),
        StatusCode::CREATED,
    )
    .await;
    space["id"].as_str().unwrap().to_string()
}

/// Creates an event; returns it.
pub async fn event(app: &TestApp, token: &str, body: Value) -> Value {
    expect(
        app,
        "/api/v1/events",
        Some(token),
        body,
        StatusCode::CREATED,
    )
    .await
}

/// Waits until the event satisfies `ready`.
pub async fn event_when(
    app: &TestApp,
    admin: &str,
    id: &str,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, WAIT, || async {
        let (_, event) = app.get(&format!("/api/v1/events/{id}"), Some(admin)).await;
        ready(&event).then_some(event)
    })
    .await
}

/// Publishes an event that needs no space.
pub async fn published(app: &TestApp, admin: &str, body: Value) -> Value {
    let created = event(app, admin, body).await;
    let id = created["id"].as_str().unwrap();
    expect(
        app,
        &format!("/api/v1/events/{id}/publish"),
        Some(admin),
        json!({}),
        StatusCode::OK,
    )
    .await
}

/// Asks the scheduler (and booking) for a resync of `what`, as the monitoring does: the request
/// goes through the scheduler's outbox onto the app's bus.
pub async fn ask_for_resync(app: &TestApp, what: &[&str]) {
    use piazza_shared::contracts::resync::ResyncRequested;
    let db = app.db("scheduler").await;
    let request = ResyncRequested {
        version: 1,
        requester: "monitoring".into(),
        what: what.iter().map(|w| w.to_string()).collect(),
    };
    piazza_shared::bus::outbox::add_envelope(
        db.conn(),
        &Envelope::new("monitoring", &request, None),
    )
    .await
    .unwrap();
    db.close().await;
}

/// The `errors[].field`s of a 422.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
