//! The audit log: administrative actions in booking and the scheduler leave who, what, when and
//! the item before and after, readable by administrators only through `GET /api/v1/audit`, with
//! filters; an action refused leaves nothing.

use crate::scheduler::{expect, season, space};
use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn entries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (status, page) = app.get(&format!("/api/v1/audit{query}"), Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn administrative_actions_are_recorded_with_before_and_after_and_filtered() {
    let app = TestApp::builder().postgres().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let started = piazza_e2e::clock::now();
    let space_id = space(&app, &admin, "Sala Maffei").await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/spaces/{space_id}"),
            Some(&admin),
            &json!({ "capacity": 80 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let booking = expect(
        &app,
        "/api/v1/bookings",
        Some(&operator),
        json!({
            "space_id": space_id, "title": "Prove del coro", "attendees": 30,
            "starts_at": "2027-03-02T18:00:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00"
        }),
        StatusCode::CREATED,
    )
    .await;
    let booking_id = booking["id"].as_str().unwrap();
    expect(
        &app,
        &format!("/api/v1/bookings/{booking_id}/approve"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    // Refused actions leave nothing.
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{booking_id}/approve"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let season_id = season(&app, &admin).await;
    expect(
        &app,
        &format!("/api/v1/seasons/{season_id}/publish"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;

    let all = entries(&app, &admin, "").await;
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "season.publish",
            "season.create",
            "booking.approve",
            "space.update",
            "space.create"
        ],
        "{all:#?}"
    );
    let update = &all[3];
    assert_eq!(update["service"], "booking");
    assert_eq!(update["actor_email"], "admin@comune.test");
    assert_eq!(update["actor_role"], "admin");
    assert_eq!(update["target"], format!("space:{space_id}"));
    assert_eq!(update["before"]["capacity"], 100);
    assert_eq!(update["after"]["capacity"], 80);
    let at = chrono::DateTime::parse_from_rfc3339(update["at"].as_str().unwrap()).unwrap();
    assert!(at >= started);
    assert_eq!(all[2]["before"]["status"], "requested");
    assert_eq!(all[2]["after"]["status"], "approved");
    assert!(all[4]["before"].is_null());
    assert_eq!(all[1]["after"]["status"], "planning");
    assert_eq!(all[0]["service"], "scheduler");
    assert_eq!(all[0]["after"]["status"], "published");

    // Filters: by action or item, by actor, by time; and paging.
    let spaces = entries(&app, &admin, "?action=space").await;
    assert_eq!(spaces.len(), 2);
    assert_eq!(
        entries(&app, &admin, "?action=booking.approve").await.len(),
        1
    );
    assert_eq!(
        entries(&app, &admin, "?actor=admin@comune.test")
            .await
            .len(),
        5
    );
    assert_eq!(entries(&app, &admin, "?actor=ops@arci.test").await.len(), 0);
    let later = (piazza_e2e::clock::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let query = format!("?from={}", urlencode(&later));
    assert_eq!(entries(&app, &admin, &query).await.len(), 0);
    let (_, first) = app.get("/api/v1/audit?limit=3", Some(&admin)).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = entries(&app, &admin, &format!("?limit=3&cursor={cursor}")).await;
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1]["action"], "space.create");

    // Administrators only; bad filters are 422s naming the field.
    let (status, _) = app.get("/api/v1/audit", Some(&operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/audit", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, problem) = app.get("/api/v1/audit?from=yesterday", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "from");

    // An administrator cancelling someone's booking is recorded; an operator cancelling its own
    // booking is not an administrative action.
    let own = expect(
        &app,
        "/api/v1/bookings",
        Some(&operator),
        json!({
            "space_id": space_id, "title": "Laboratorio", "attendees": 10,
            "starts_at": "2027-03-09T18:00:00+01:00", "ends_at": "2027-03-09T20:00:00+01:00"
        }),
        StatusCode::CREATED,
    )
    .await;
    let own_id = own["id"].as_str().unwrap();
    for (id, token) in [(own_id, &operator), (booking_id, &admin)] {
        expect(
            &app,
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(token),
            json!({}),
            StatusCode::OK,
        )
        .await;
    }
    let cancels = entries(&app, &admin, "?action=booking.cancel").await;
    assert_eq!(cancels.len(), 1, "{cancels:#?}");
    assert_eq!(cancels[0]["target"], format!("booking:{booking_id}"));
    assert_eq!(cancels[0]["before"]["status"], "approved");
    assert_eq!(cancels[0]["after"]["status"], "cancelled");
    app.stop().await;
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
