//! Every change is told over RabbitMQ through the outbox: `space.created`, `space.updated`,
//! `space.closed`, `space.hours_changed`, and `booking.requested`, `approved`, `rejected`,
//! `cancelled`, each carrying what changed.

use super::{expect, space};
use async_trait::async_trait;
use piazza_e2e::{app::TestApp, eventually};
use piazza_shared::{
    Envelope, Message,
    bus::{Bus, Consumer, HandleError, Subscription, amqp::AmqpBus},
    contracts::{
        booking::{BookingApproved, BookingCancelled, BookingRejected, BookingRequested},
        space::{SpaceClosed, SpaceCreated, SpaceHoursChanged, SpaceUpdated},
    },
    secret::Secret,
};
use reqwest::StatusCode;
use serde_json::json;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio_util::sync::CancellationToken;

struct Recorder(Arc<Mutex<Vec<Envelope>>>);

#[async_trait]
impl Consumer for Recorder {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        self.0.lock().unwrap().push(envelope);
        Ok(())
    }
}

/// Waits for the first message of type `M` that `matches`.
async fn heard<M: Message>(seen: &Arc<Mutex<Vec<Envelope>>>, matches: impl Fn(&M) -> bool) -> M {
    eventually(M::TYPE, Duration::from_secs(20), || {
        let found = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.event_type == M::TYPE)
            .map(|e| e.decode::<M>().unwrap())
            .find(|m| matches(m));
        async move { found }
    })
    .await
}

#[tokio::test]
async fn every_change_to_spaces_and_bookings_is_announced() {
    // Booking alone: the test listens on the queue the scheduler would use.
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&[piazza_booking::SERVICE])
        .spawn()
        .await;
    let bus = Arc::new(AmqpBus::new(
        Secret::new(piazza_e2e::amqp_url()),
        app.settings.bus.clone(),
        "tap",
    ));
    let subscription =
        Subscription::new(&app.settings.bus, "scheduler", vec!["space.*", "booking.*"]);
    bus.declare(&subscription).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stop = CancellationToken::new();
    let listener = {
        let (bus, recorder, stop) = (bus.clone(), Arc::new(Recorder(seen.clone())), stop.clone());
        tokio::spawn(async move { bus.consume(subscription, recorder, stop).await })
    };

    let admin = app.admin().await;
    let hall = space(&app, &admin, json!({ "name": "Sala Maffei" })).await;
    let id: uuid::Uuid = hall.parse().unwrap();
    heard::<SpaceCreated>(&seen, |m| {
        m.space.space_id == id && m.space.name == "Sala Maffei"
    })
    .await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/spaces/{hall}"),
            Some(&admin),
            &json!({ "capacity": 40 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    heard::<SpaceUpdated>(&seen, |m| m.space.space_id == id && m.space.capacity == 40).await;
    expect(
        &app,
        &format!("/api/v1/spaces/{hall}/closures"),
        Some(&admin),
        json!({ "starts_at": "2027-06-01T09:00:00+02:00", "ends_at": "2027-06-01T12:00:00+02:00",
                "reason": "Disinfestazione", "recurrence": "FREQ=DAILY;COUNT=2" }),
        StatusCode::CREATED,
    )
    .await;
    let closed = heard::<SpaceClosed>(&seen, |m| m.space_id == id).await;
    assert_eq!(
        (closed.reason.as_str(), closed.periods.len()),
        ("Disinfestazione", 2)
    );
    expect(
        &app,
        &format!("/api/v1/spaces/{hall}/exceptions"),
        Some(&admin),
        json!({ "date": "2027-06-02", "opening_hours": [{ "opens": "18:00", "closes": "24:00" }],
                "reason": "Notte bianca" }),
        StatusCode::CREATED,
    )
    .await;
    let hours = heard::<SpaceHoursChanged>(&seen, |m| m.space_id == id).await;
    assert_eq!(
        hours.hours,
        vec![("18:00".to_string(), "24:00".to_string())]
    );

    let request = |title: &str, day: u32| {
        json!({ "space_id": hall, "title": title, "attendees": 10,
                "starts_at": format!("2027-06-{day:02}T18:00:00+02:00"),
                "ends_at": format!("2027-06-{day:02}T20:00:00+02:00") })
    };
    let first = expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        request("Prova aperta", 7),
        StatusCode::CREATED,
    )
    .await;
    let first_id: uuid::Uuid = first["id"].as_str().unwrap().parse().unwrap();
    heard::<BookingRequested>(&seen, |m| m.booking.booking_id == first_id).await;
    expect(
        &app,
        &format!("/api/v1/bookings/{first_id}/approve"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    heard::<BookingApproved>(&seen, |m| m.booking.booking_id == first_id).await;
    expect(
        &app,
        &format!("/api/v1/bookings/{first_id}/cancel"),
        Some(&admin),
        json!({ "reason": "Pioggia" }),
        StatusCode::OK,
    )
    .await;
    let cancelled = heard::<BookingCancelled>(&seen, |m| m.booking.booking_id == first_id).await;
    assert_eq!(cancelled.reason.as_deref(), Some("Pioggia"));
    let second = expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        request("Seconda", 8),
        StatusCode::CREATED,
    )
    .await;
    let second_id: uuid::Uuid = second["id"].as_str().unwrap().parse().unwrap();
    expect(
        &app,
        &format!("/api/v1/bookings/{second_id}/reject"),
        Some(&admin),
        json!({ "reason": "Sala già promessa" }),
        StatusCode::OK,
    )
    .await;
    let rejected = heard::<BookingRejected>(&seen, |m| m.booking_id == Some(second_id)).await;
    assert_eq!(rejected.reason, "Sala già promessa");

    stop.cancel();
    let _ = listener.await;
    app.stop().await;
}
