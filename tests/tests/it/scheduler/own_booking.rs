//! An operator's event in its own approved booking, on the embedded runtime (SQLite, in-process
//! bus) and on PostgreSQL + RabbitMQ: the operator books a room, an administrator approves it,
//! the operator proposes an event in that slot and the administrator schedules it; the event
//! gets the space without a second hold (free time and booked hours count the room once), the
//! booking cannot be cancelled while the event uses it and stays when the event lets it go.
//! Another organisation's proposal for the same slot and a proposal reaching outside the
//! booking are refused.

use super::{WAIT, event, event_when, expect, space};
use piazza_e2e::{
    app::{Database, TestApp},
    clock::{day_ahead, rome},
    eventually,
};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The live (requested or approved) bookings booking keeps for `event_id`.
async fn live_for_event(app: &TestApp, admin: &str, event_id: &str) -> Vec<Value> {
    let (status, page) = app
        .get(
            &format!("/api/v1/bookings?event_id={event_id}"),
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "requested" || b["status"] == "approved")
        .cloned()
        .collect()
}

/// A proposal of `token`'s organisation in `space` from `from` to `to` on [`day_ahead`].
async fn propose(
    app: &TestApp,
    token: &str,
    space: &str,
    title: &str,
    from: &str,
    to: &str,
) -> String {
    let created = event(
        app,
        token,
        json!({
            "title": title, "categories": ["music"], "space_id": space,
            "starts_at": rome(day_ahead(), from),
            "ends_at": rome(day_ahead(), to),
        }),
    )
    .await;
    assert_eq!(created["status"], "proposed", "{created}");
    created["id"].as_str().unwrap().to_string()
}

async fn an_operators_event_takes_place_in_its_own_approved_booking(app: TestApp) {
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let other = app
        .user("ops@teatro.test", Role::Operator, Some("Teatro Itinerante"))
        .await;
    let room = space(&app, &admin, "Sala delle Colonne").await;
    let booking = expect(
        &app,
        "/api/v1/bookings",
        Some(&arci),
        json!({
            "space_id": room, "title": "Prove e concerto", "attendees": 40,
            "starts_at": rome(day_ahead(), "18:00"), "ends_at": rome(day_ahead(), "23:30")
        }),
        StatusCode::CREATED,
    )
    .await;
    let booking_id = booking["id"].as_str().unwrap().to_string();
    expect(
        &app,
        &format!("/api/v1/bookings/{booking_id}/approve"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;

    // The operator proposes its concert inside the booking: held, not refused.
    let concert = propose(&app, &arci, &room, "Concerto", "21:00", "23:00").await;
    event_when(
        &app,
        &admin,
        &concert,
        "the proposal held in the booking",
        |e| e["space_reason"] == "held; waiting for approval",
    )
    .await;
    // The administrator schedules it: the space is confirmed.
    expect(
        &app,
        &format!("/api/v1/events/{concert}/schedule"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let scheduled = event_when(&app, &admin, &concert, "the confirmed space", |e| {
        e["space_status"] == "confirmed" || e["space_status"] == "unavailable"
    })
    .await;
    assert_eq!(scheduled["space_status"], "confirmed", "{scheduled}");
    assert_eq!(scheduled["status"], "scheduled", "{scheduled}");
    let live = live_for_event(&app, &admin, &concert).await;
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0]["status"], "approved");
    assert_eq!(live[0]["uses_booking_id"], booking_id.as_str(), "{live:?}");

    // The room is held once: the evening is busy from 18:00 to 23:30, counted 5.5 hours.
    let (status, free) = app
        .get(
            &format!(
                "/api/v1/spaces/{room}/availability?from={}&to={}",
                rome(day_ahead(), "12:00").replace('+', "%2B"),
                rome(day_ahead() + chrono::Duration::days(1), "00:00").replace('+', "%2B"),
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{free}");
    let windows: Vec<(String, String)> = free["free"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["starts_at"].to_string(), w["ends_at"].to_string()))
        .collect();
    assert_eq!(windows.len(), 2, "{free}");
    let (status, report) = app
        .get(
            &format!("/api/v1/reports/utilization?from={0}&to={0}", day_ahead()),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let row = report["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["space_id"] == room.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["booked_hours"].as_f64(), Some(5.5), "{report}");

    // Another organisation's proposal inside the booking (at hours no event uses) is refused.
    let intruder = propose(&app, &other, &room, "Teatro", "18:30", "20:00").await;
    let refused = event_when(
        &app,
        &admin,
        &intruder,
        "the other organisation's refusal",
        |e| e["space_status"] == "unavailable",
    )
    .await;
    assert_eq!(refused["status"], "needs_space", "{refused}");
    // So is the operator's own proposal reaching outside its booking (it starts at 18:00).
    let early = propose(&app, &arci, &room, "Aperitivo", "17:00", "19:00").await;
    event_when(&app, &admin, &early, "the partial overlap's refusal", |e| {
        e["space_status"] == "unavailable"
    })
    .await;
    // And a second event of its own in the same hours of the booking.
    let twice = propose(&app, &arci, &room, "Bis", "22:00", "23:30").await;
    event_when(&app, &admin, &twice, "the second event's refusal", |e| {
        e["space_status"] == "unavailable"
    })
    .await;

    // The booking cannot be cancelled while the concert takes place in it.
    let (status, problem) = app
        .post(
            &format!("/api/v1/bookings/{booking_id}/cancel"),
            Some(&arci),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["type"], "urn:piazza:problem:booking_in_use");
    assert_eq!(problem["conflicts"][0]["event_id"], concert.as_str());

    // Cancelling the concert lets go of the event's row only: the booking stays approved.
    expect(
        &app,
        &format!("/api/v1/events/{concert}/cancel"),
        Some(&admin),
        json!({ "reason": "maltempo" }),
        StatusCode::OK,
    )
    .await;
    eventually("the concert's row released", WAIT, || async {
        live_for_event(&app, &admin, &concert)
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    let (_, kept) = app
        .get(&format!("/api/v1/bookings/{booking_id}"), Some(&arci))
        .await;
    assert_eq!(kept["status"], "approved", "{kept}");
    // Now the operator may cancel it.
    expect(
        &app,
        &format!("/api/v1/bookings/{booking_id}/cancel"),
        Some(&arci),
        json!({}),
        StatusCode::OK,
    )
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_event_takes_place_in_its_own_approved_booking_embedded() {
    let app = TestApp::builder().database(Database::Sqlite).spawn().await;
    an_operators_event_takes_place_in_its_own_approved_booking(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_event_takes_place_in_its_own_approved_booking_on_postgres_and_rabbitmq() {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    an_operators_event_takes_place_in_its_own_approved_booking(app).await;
}
