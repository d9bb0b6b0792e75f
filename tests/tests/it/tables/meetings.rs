//! A table's meeting books its space through the bus like an event: booking approves the slot,
//! the space's availability no longer offers it, the season planner shows the meeting, and
//! moving or cancelling it moves or frees the slot. Members: personal data for administrators
//! only.

use super::{
    WAIT, at, expect, free_on, get, instant, meeting_when, offered, season_around, space, table,
    touches,
};
use crate::pages::{log_in, page};
use piazza_e2e::{
    app::{Database, TestApp},
    clock::{day_ahead, rome},
    eventually,
};
use reqwest::StatusCode;
use serde_json::json;

async fn a_meeting_books_its_space_through_the_bus(app: TestApp) {
    let admin = app.admin().await;
    let day = day_ahead();
    let hall = space(&app, &admin, "Sala dei Quadri").await;
    let season = season_around(&app, &admin, day).await;
    let codesign = table(
        &app,
        &admin,
        json!({
            "name": "Tavolo ex scuola Santa Monica", "theme": "Riattivare l'ex scuola",
            "kind": "codesign", "funding_line": "fesr"
        }),
    )
    .await;
    assert_eq!(codesign["kind"], "codesign");
    assert_eq!(codesign["funding_line"], "fesr");
    let id = codesign["id"].as_str().unwrap().to_string();
    let listed = get(&app, "/api/v1/tables", None).await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id.as_str()),
        "{listed}"
    );

    // Members: an organisation, a sector, a young people's representative.
    let members = format!("/api/v1/tables/{id}/members");
    for body in [
        json!({ "kind": "organisation", "name": "ARCI Cremona" }),
        json!({ "kind": "sector", "sector": "culture" }),
        json!({ "kind": "person", "name": "Giulia Rossi", "email": "Giulia@Example.test",
                "role": "youth_representative" }),
    ] {
        expect(&app, &members, Some(&admin), body, StatusCode::CREATED).await;
    }
    let public = get(&app, &members, None).await;
    let public = public["items"].as_array().unwrap();
    assert_eq!(public.len(), 3);
    assert_eq!(public[0]["name"], "ARCI Cremona");
    assert_eq!(public[1]["sector"], "culture");
    assert_eq!(public[2]["role"], "youth_representative");
    assert!(
        public[2]["email"].is_null() && public[2]["name"].is_null(),
        "{public:?}"
    );
    let private = get(&app, &members, Some(&admin)).await;
    assert_eq!(private["items"][2]["email"], "giulia@example.test");
    assert_eq!(private["items"][2]["name"], "Giulia Rossi");

    // Before: the evening is free.
    let (from, to) = (at(day, "17:00"), at(day, "19:00"));
    assert!(offered(&free_on(&app, &hall, day).await, from, to));

    let meeting = expect(
        &app,
        &format!("/api/v1/tables/{id}/meetings"),
        Some(&admin),
        json!({
            "title": "Primo incontro", "space_id": hall,
            "starts_at": rome(day, "17:00"), "ends_at": rome(day, "19:00"),
            "time_zone": "Europe/Rome", "agenda": "1. Il cortile\n2. Gli orari"
        }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(meeting["status"], "scheduled");
    assert_eq!(meeting["season_id"], season.as_str(), "{meeting}");
    let meeting_id = meeting["id"].as_str().unwrap().to_string();
    let confirmed = meeting_when(
        &app,
        None,
        &id,
        &meeting_id,
        "booking to confirm the slot",
        |m| m["space_status"] != "pending",
    )
    .await;
    assert_eq!(confirmed["space_status"], "confirmed", "{confirmed}");
    assert_eq!(confirmed["agenda"], "1. Il cortile\n2. Gli orari");

    // Booking holds it: the space's availability no longer offers the slot.
    let windows = free_on(&app, &hall, day).await;
    assert!(!touches(&windows, from, to), "{windows:?}");
    assert!(
        offered(&windows, at(day, "19:00"), at(day, "20:00")),
        "{windows:?}"
    );

    // The season planner shows it.
    let (_, cookie) = log_in(&app, "admin@comune.test").await;
    let (status, html) = page(&app, &format!("/admin/seasons/{season}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("data-event=\"{meeting_id}\"")) && html.contains("Primo incontro"),
        "{html}"
    );

    // Moved to later that evening: booking moves the hold.
    let (status, moved) = app
        .patch(
            &format!("/api/v1/tables/{id}/meetings/{meeting_id}"),
            Some(&admin),
            &json!({ "starts_at": rome(day, "20:00"), "ends_at": rome(day, "21:00") }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let (later, end) = (at(day, "20:00"), at(day, "21:00"));
    eventually("the hold moved", WAIT, || async {
        let windows = free_on(&app, &hall, day).await;
        (offered(&windows, from, to) && !touches(&windows, later, end)).then_some(())
    })
    .await;

    // Cancelled: the slot is free again.
    let cancelled = expect(
        &app,
        &format!("/api/v1/tables/{id}/meetings/{meeting_id}/cancel"),
        Some(&admin),
        json!({ "reason": "rinviato" }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    eventually("the slot freed", WAIT, || async {
        offered(&free_on(&app, &hall, day).await, later, end).then_some(())
    })
    .await;
    // Each step is in the audit log, the move with the times before and after.
    let audit = get(&app, "/api/v1/audit?action=table", Some(&admin)).await;
    let entries = audit["items"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "table.create",
        "table.member_add",
        "table.meeting_schedule",
        "table.meeting_update",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let update = entries
        .iter()
        .find(|e| e["action"] == "table.meeting_update")
        .unwrap();
    assert_eq!(instant(&update["before"]["starts_at"]), from, "{update}");
    assert_eq!(instant(&update["after"]["starts_at"]), later, "{update}");
    // A meeting is not an event of the public calendar.
    let (status, _) = app.get(&format!("/api/v1/events/{meeting_id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tables_meeting_books_its_space_through_the_bus_embedded() {
    let app = TestApp::builder().database(Database::Sqlite).spawn().await;
    a_meeting_books_its_space_through_the_bus(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tables_meeting_books_its_space_through_the_bus_on_postgres_and_rabbitmq() {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    a_meeting_books_its_space_through_the_bus(app).await;
}
