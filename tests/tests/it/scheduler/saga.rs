//! The slot saga on RabbitMQ and PostgreSQL: booking holds an operator's proposal as requested
//! and publishing waits for a confirmed space; a taken slot is refused with the reason; a request
//! nobody answers times out to `needs_space`; a moved event moves its booking and its readers
//! hear of each change.

use super::{BOOKING_AND_SCHEDULER, Tap, WAIT, event, event_when, expect, scheduler_state, space};
use piazza_e2e::{app::TestApp, eventually};
use piazza_shared::contracts::event::{EventCancelled, EventPublished, EventRescheduled};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn bookings_of(app: &TestApp, admin: &str, event_id: &str) -> Vec<Value> {
    let (status, page) = app
        .get(
            &format!("/api/v1/bookings?event_id={event_id}"),
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operators_proposal_is_held_until_scheduled_and_publishing_needs_the_confirmed_space() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    let tap = Tap::start(&app).await;
    let admin = app.admin().await;
    let operator = app
        .user(
            "ops@arci.test",
            piazza_shared::auth::Role::Operator,
            Some("ARCI Cremona"),
        )
        .await;
    let space = space(&app, &admin, "Sala delle Colonne").await;
    let proposal = event(
        &app,
        &operator,
        json!({
            "title": "Jam session", "categories": ["music"], "age_min": 16, "age_max": 29,
            "starts_at": "2027-05-07T21:00:00+02:00", "ends_at": "2027-05-07T23:00:00+02:00",
            "space_id": space, "capacity": 60, "price_cents": 0, "funding_line": "fesr",
            "description_en": "Open jam", "accessibility_notes": "Step-free access"
        }),
    )
    .await;
    assert_eq!(proposal["status"], "proposed");
    assert_eq!(proposal["organisation"], "ARCI Cremona");
    let id = proposal["id"].as_str().unwrap().to_string();
    let held = event_when(
        &app,
        &admin,
        &id,
        "booking to hold the slot as requested",
        |e| e["space_reason"] == "held; waiting for approval",
    )
    .await;
    assert_eq!(held["space_status"], "pending");
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["conflicts"][0]["space_status"], "pending");
    assert_eq!(problem["type"], "urn:piazza:problem:space_not_confirmed");

    // The administrator takes it into the season: booking approves the held slot.
    let scheduled = expect(
        &app,
        &format!("/api/v1/events/{id}/schedule"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(scheduled["status"], "scheduled");
    event_when(&app, &admin, &id, "the slot to be confirmed", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    let holds = bookings_of(&app, &admin, &id).await;
    let live: Vec<&Value> = holds
        .iter()
        .filter(|b| b["status"] != "cancelled")
        .collect();
    assert_eq!(live.len(), 1, "{holds:?}");
    assert_eq!(live[0]["status"], "approved");

    let published = expect(
        &app,
        &format!("/api/v1/events/{id}/publish"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(published["status"], "published");
    let told = tap
        .wait::<EventPublished>("event.published", |m| m.event.event_id.to_string() == id)
        .await;
    assert_eq!(told.event.title, "Jam session");
    assert_eq!(told.event.occurrences.len(), 1);
    assert_eq!(
        told.event.place.as_ref().map(|p| p.name.as_str()),
        Some("Sala delle Colonne")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_slot_is_refused_and_the_event_needs_space_with_the_reason_until_it_moves() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    let admin = app.admin().await;
    let space = space(&app, &admin, "Cortile Federico II").await;
    let slot = json!({
        "title": "Cinema all'aperto", "categories": ["cinema"], "space_id": space,
        "starts_at": "2027-07-02T21:30:00+02:00", "ends_at": "2027-07-02T23:30:00+02:00"
    });
    let first = event(&app, &admin, slot.clone()).await;
    let first_id = first["id"].as_str().unwrap();
    event_when(&app, &admin, first_id, "the first event's slot", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    let second = event(&app, &admin, slot).await;
    let second_id = second["id"].as_str().unwrap();
    let refused = event_when(&app, &admin, second_id, "the refusal", |e| {
        e["status"] == "needs_space"
    })
    .await;
    assert_eq!(refused["space_status"], "unavailable");
    assert!(
        refused["space_reason"]
            .as_str()
            .unwrap()
            .contains("already taken"),
        "{refused}"
    );
    assert!(bookings_of(&app, &admin, second_id).await.is_empty());

    // Moved to the next evening, it gets the space and is a draft again.
    let (status, moved) = app
        .patch(
            &format!("/api/v1/events/{second_id}"),
            Some(&admin),
            &json!({ "starts_at": "2027-07-03T21:30:00+02:00", "ends_at": "2027-07-03T23:30:00+02:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let fixed = event_when(&app, &admin, second_id, "the moved event's slot", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    assert_eq!(fixed["status"], "draft");
    assert_eq!(fixed["space_reason"], Value::Null);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_request_nobody_answers_times_out_to_needs_space_with_the_reason() {
    // No booking service: the request goes unanswered.
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&[piazza_scheduler::SERVICE])
        .spawn()
        .await;
    let state = scheduler_state(&app).await;
    let token = super::admin_token(&app);
    let created = event(
        &app,
        &token,
        json!({
            "title": "Reading", "categories": ["literature"], "space_id": uuid::Uuid::now_v7(),
            "starts_at": "2027-05-07T18:00:00+02:00", "ends_at": "2027-05-07T19:00:00+02:00"
        }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["space_status"], "pending");
    // Not yet overdue: nothing changes.
    let now = piazza_e2e::clock::now();
    assert_eq!(
        piazza_scheduler::jobs::slot_timeouts::expire(&state, now)
            .await
            .unwrap(),
        0
    );
    let later = now + chrono::Duration::seconds(61);
    assert_eq!(
        piazza_scheduler::jobs::slot_timeouts::expire(&state, later)
            .await
            .unwrap(),
        1
    );
    let (_, stuck) = app.get(&format!("/api/v1/events/{id}"), Some(&token)).await;
    assert_eq!(stuck["status"], "needs_space");
    assert_eq!(stuck["space_status"], "unavailable");
    assert!(
        stuck["space_reason"]
            .as_str()
            .unwrap()
            .contains("did not answer within 60 s"),
        "{stuck}"
    );
    // A timed-out event is not timed out again.
    assert_eq!(
        piazza_scheduler::jobs::slot_timeouts::expire(&state, later)
            .await
            .unwrap(),
        0
    );
    state.db.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_event_moves_its_booking_and_its_readers_hear_of_each_change() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    let tap = Tap::start(&app).await;
    let admin = app.admin().await;
    let hall = space(&app, &admin, "Sala Maffei").await;
    let court = space(&app, &admin, "Cortile Maffei").await;
    let created = event(
        &app,
        &admin,
        json!({
            "title": "Poesia in cortile", "categories": ["literature"], "space_id": hall,
            "starts_at": "2027-06-10T18:00:00+02:00", "ends_at": "2027-06-10T19:30:00+02:00"
        }),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_string();
    let occurrence = created["occurrences"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    event_when(&app, &admin, &id, "the slot", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    expect(
        &app,
        &format!("/api/v1/events/{id}/publish"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    tap.wait::<EventPublished>("event.published", |m| m.event.event_id.to_string() == id)
        .await;

    // A day later: booking holds the new slot and frees the old one.
    let (status, moved) = app
        .patch(
            &format!("/api/v1/events/{id}"),
            Some(&admin),
            &json!({ "starts_at": "2027-06-11T18:00:00+02:00", "ends_at": "2027-06-11T19:30:00+02:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        moved["occurrences"][0]["id"],
        occurrence.as_str(),
        "the occurrence keeps its id"
    );
    let told = tap
        .wait::<EventRescheduled>("event.rescheduled", |m| m.event.event_id.to_string() == id)
        .await;
    assert_eq!(told.previous.len(), 1);
    assert_eq!(
        told.previous[0].starts_at.to_rfc3339(),
        "2027-06-10T16:00:00+00:00"
    );
    assert_eq!(
        told.event.occurrences[0].starts_at.to_rfc3339(),
        "2027-06-11T16:00:00+00:00"
    );
    assert_eq!(told.previous_place, None);
    let holds = eventually("booking to move the hold", WAIT, || async {
        let holds = bookings_of(&app, &admin, &id).await;
        let approved: Vec<Value> = holds
            .iter()
            .filter(|b| b["status"] == "approved")
            .cloned()
            .collect();
        (approved.len() == 1
            && approved[0]["starts_at"]
                .as_str()
                .unwrap()
                .starts_with("2027-06-11"))
        .then_some(holds)
    })
    .await;
    assert!(
        holds.iter().any(|b| b["status"] == "cancelled"),
        "{holds:?}"
    );
    event_when(&app, &admin, &id, "the moved slot to be confirmed", |e| {
        e["space_status"] == "confirmed"
    })
    .await;

    // Into the courtyard: the readers hear where it was.
    app.patch(
        &format!("/api/v1/events/{id}"),
        Some(&admin),
        &json!({ "space_id": court }),
    )
    .await;
    let told = tap
        .wait::<EventRescheduled>("the move to the courtyard", |m| {
            m.event.event_id.to_string() == id && m.previous_place.is_some()
        })
        .await;
    assert_eq!(told.previous_place.unwrap().name, "Sala Maffei");
    assert_eq!(told.event.place.unwrap().name, "Cortile Maffei");
    event_when(&app, &admin, &id, "the courtyard to be confirmed", |e| {
        e["space_status"] == "confirmed"
    })
    .await;

    // Cancelled: readers are told and booking lets the space go.
    expect(
        &app,
        &format!("/api/v1/events/{id}/cancel"),
        Some(&admin),
        json!({ "reason": "Pioggia" }),
        StatusCode::OK,
    )
    .await;
    let told = tap
        .wait::<EventCancelled>("event.cancelled", |m| m.event.event_id.to_string() == id)
        .await;
    assert_eq!(told.reason, "Pioggia");
    assert!(told.occurrence_ids.is_empty(), "the whole event");
    eventually("booking to free the space", WAIT, || async {
        let holds = bookings_of(&app, &admin, &id).await;
        holds
            .iter()
            .all(|b| b["status"] == "cancelled")
            .then_some(())
    })
    .await;
    app.stop().await;
}
