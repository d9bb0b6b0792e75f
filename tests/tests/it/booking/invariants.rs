//! Issue 12's booking findings, each on the path that broke it: a room added (or moved) under a
//! booked hall, buffers widened between touching bookings, a closure and a booking at the same
//! moment, approve and cancel at the same moment, a proposal through the scheduler past the
//! organisation's quota, and a 409 that named other organisations' bookings.

use super::{book, expect, space};
use piazza_booking::config::Quota;
use piazza_e2e::{ServiceSections, app::TestApp, eventually};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn approve(app: &TestApp, admin: &str, id: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/bookings/{id}/approve"),
        Some(admin),
        &json!({}),
    )
    .await
}

#[tokio::test]
async fn a_room_added_or_moved_under_a_booked_hall_is_held_by_the_halls_booking() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let hall = space(&app, &admin, json!({ "name": "Salone", "capacity": 300 })).await;
    let (status, booked) = book(
        &app,
        &admin,
        &hall,
        "2027-04-13T10:00:00+02:00",
        "2027-04-13T18:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let (status, _) = approve(&app, &admin, booked["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    // Approved once; a second approval is refused by its own code.
    let (status, again) = approve(&app, &admin, booked["id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["type"], "urn:piazza:problem:not_requested", "{again}");

    // A room created later inside the hall is taken for the hall's time.
    let room = space(
        &app,
        &admin,
        json!({ "name": "Saletta", "parent_id": hall }),
    )
    .await;
    let (status, refused) = book(
        &app,
        &admin,
        &room,
        "2027-04-13T12:00:00+02:00",
        "2027-04-13T14:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");

    // A room booked on its own cannot be moved under the hall over that time.
    let loose = space(&app, &admin, json!({ "name": "Studio" })).await;
    let (status, own) = book(
        &app,
        &admin,
        &loose,
        "2027-04-13T12:00:00+02:00",
        "2027-04-13T14:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let (status, problem) = app
        .patch(
            &format!("/api/v1/spaces/{loose}"),
            Some(&admin),
            &json!({ "parent_id": hall }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(
        problem["type"], "urn:piazza:problem:tree_clash",
        "{problem}"
    );
    assert_eq!(problem["conflicts"][0]["field"], "parent_id", "{problem}");
    // Once its booking is cancelled it moves, and is held by the hall from then on.
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{}/cancel", own["id"].as_str().unwrap()),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, moved) = app
        .patch(
            &format!("/api/v1/spaces/{loose}"),
            Some(&admin),
            &json!({ "parent_id": hall }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let (status, _) = book(
        &app,
        &admin,
        &loose,
        "2027-04-13T15:00:00+02:00",
        "2027-04-13T16:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Moved out again, it is free.
    let (status, _) = app
        .patch(
            &format!("/api/v1/spaces/{loose}"),
            Some(&admin),
            &json!({ "parent_id": null }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = book(
        &app,
        &admin,
        &loose,
        "2027-04-13T15:00:00+02:00",
        "2027-04-13T16:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn wider_buffers_between_touching_bookings_are_refused() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let hall = space(&app, &admin, json!({})).await;
    for (from, to) in [("10:00", "12:00"), ("12:00", "14:00")] {
        let (status, body) = book(
            &app,
            &admin,
            &hall,
            &format!("2027-04-14T{from}:00+02:00"),
            &format!("2027-04-14T{to}:00+02:00"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, problem) = app
        .patch(
            &format!("/api/v1/spaces/{hall}"),
            Some(&admin),
            &json!({ "teardown_minutes": 30 }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["conflicts"][0]["field"], "teardown_minutes");
    let (_, unchanged) = app.get(&format!("/api/v1/spaces/{hall}"), None).await;
    assert_eq!(unchanged["teardown_minutes"], 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closure_and_a_booking_sent_together_are_never_both_accepted_on_postgres() {
    let app = TestApp::builder().postgres().spawn().await;
    let admin = app.admin().await;
    let mut both = 0;
    for round in 0..30 {
        let hall = space(&app, &admin, json!({ "name": format!("Sala {round}") })).await;
        let (path, body) = (
            format!("/api/v1/spaces/{hall}/closures"),
            json!({ "starts_at": "2027-04-15T10:00:00+02:00",
                     "ends_at": "2027-04-15T12:00:00+02:00", "reason": "Lavori" }),
        );
        let closure = app.post(&path, Some(&admin), &body);
        let booking = book(
            &app,
            &admin,
            &hall,
            "2027-04-15T10:30:00+02:00",
            "2027-04-15T11:00:00+02:00",
        );
        let ((closed, c), (booked, b)) = tokio::join!(closure, booking);
        assert!(
            [StatusCode::CREATED, StatusCode::CONFLICT].contains(&closed)
                && [StatusCode::CREATED, StatusCode::CONFLICT].contains(&booked),
            "{c} {b}"
        );
        if closed == StatusCode::CREATED && booked == StatusCode::CREATED {
            both += 1;
        }
    }
    assert_eq!(
        both, 0,
        "rounds where the closure and the booking were both accepted"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_and_cancel_at_the_same_moment_happen_once_on_postgres() {
    let app = TestApp::builder().postgres().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;
    let hall = space(&app, &admin, json!({})).await;
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..12 {
            let (status, body) = book(
                &app,
                &operator,
                &hall,
                &format!("2027-05-{:02}T{:02}:00:00+02:00", 3 + round, 8 + i),
                &format!("2027-05-{:02}T{:02}:30:00+02:00", 3 + round, 8 + i),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            ids.push(body["id"].as_str().unwrap().to_string());
        }
        let answers = futures::future::join_all(ids.iter().map(|id| {
            let (app, admin, operator) = (&app, &admin, &operator);
            async move {
                let (path, body) = (format!("/api/v1/bookings/{id}/cancel"), json!({}));
                let cancel = app.post(&path, Some(operator), &body);
                let (approved, cancelled) = tokio::join!(approve(app, admin, id), cancel);
                (approved.0, cancelled.0)
            }
        }))
        .await;
        for (id, (approved, cancelled)) in ids.iter().zip(answers) {
            let (_, booking) = app
                .get(&format!("/api/v1/bookings/{id}"), Some(&admin))
                .await;
            // The cancel always wins in the end (it may follow the approval); the approval
            // either happened first or was refused.
            assert_eq!(cancelled, StatusCode::OK, "{booking}");
            assert!(
                [StatusCode::OK, StatusCode::CONFLICT].contains(&approved),
                "{approved}"
            );
            assert_eq!(booking["status"], "cancelled", "round {round}: {booking}");
        }
        // Every slot is free again.
        let (status, body) = book(
            &app,
            &admin,
            &hall,
            &format!("2027-05-{:02}T08:00:00+02:00", 3 + round),
            &format!("2027-05-{:02}T20:00:00+02:00", 3 + round),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "round {round}: {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_proposal_through_the_scheduler_counts_against_the_organisations_quota() {
    let app = TestApp::builder()
        .settings(|s| {
            s.booking().quotas.insert(
                "hall".into(),
                Quota {
                    hours_per_week: Some(2.0),
                    hours_per_month: None,
                },
            );
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;
    let hall = space(&app, &admin, json!({})).await;
    let (status, body) = book(
        &app,
        &operator,
        &hall,
        "2027-04-13T10:00:00+02:00",
        "2027-04-13T12:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = book(
        &app,
        &operator,
        &hall,
        "2027-04-14T10:00:00+02:00",
        "2027-04-14T11:00:00+02:00",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a third hour is over the quota"
    );
    let proposal = expect(
        &app,
        "/api/v1/events",
        Some(&operator),
        json!({
            "title": "Jam session", "categories": ["music"], "age_min": 16, "age_max": 29,
            "starts_at": "2027-04-15T14:00:00+02:00", "ends_at": "2027-04-15T19:00:00+02:00",
            "space_id": hall, "capacity": 60, "price_cents": 0, "funding_line": "fesr",
            "description_en": "Open jam", "accessibility_notes": "Step-free access"
        }),
        StatusCode::CREATED,
    )
    .await;
    let id = proposal["id"].as_str().unwrap().to_string();
    let answered = eventually(
        "booking to answer the slot request",
        Duration::from_secs(20),
        || {
            let (app, admin, id) = (&app, &admin, id.clone());
            async move {
                let (_, event) = app.get(&format!("/api/v1/events/{id}"), Some(admin)).await;
                (event["space_status"] != "pending").then_some(event)
            }
        },
    )
    .await;
    assert_eq!(answered["space_status"], "unavailable", "{answered}");
    let (_, listed) = app
        .get(
            &format!("/api/v1/bookings?space_id={hall}&limit=100"),
            Some(&admin),
        )
        .await;
    let live: Vec<&Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "requested" || b["status"] == "approved")
        .collect();
    assert_eq!(live.len(), 1, "only the first two hours are held: {listed}");
    app.stop().await;
}

#[tokio::test]
async fn a_refused_booking_names_only_its_own_organisations_bookings() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;
    let iride = app
        .user("ops@iride.test", Role::Operator, Some("Iride"))
        .await;
    let hall = space(&app, &admin, json!({})).await;
    let (status, held) = book(
        &app,
        &arci,
        &hall,
        "2027-04-13T10:00:00+02:00",
        "2027-04-13T12:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let held_id = held["id"].as_str().unwrap();
    for (token, sees_id) in [(&iride, false), (&arci, true), (&admin, true)] {
        let (status, refused) = book(
            &app,
            token,
            &hall,
            "2027-04-13T11:00:00+02:00",
            "2027-04-13T13:00:00+02:00",
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}");
        let conflict = &refused["conflicts"][0];
        assert_eq!(
            conflict["reason"], "overlaps a requested booking",
            "{refused}"
        );
        assert_eq!(conflict.get("booking_id").is_some(), sees_id, "{refused}");
        assert!(
            sees_id || !refused.to_string().contains(held_id),
            "{refused}"
        );
    }
    app.stop().await;
}
