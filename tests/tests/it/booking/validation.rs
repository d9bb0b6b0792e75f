//! Bad input: every field named in a 422, unknown spaces 404, another organisation's booking
//! 403, and a refused request that writes nothing.

use super::{book, expect, fields, space};
use piazza_e2e::{ServiceSections, app::TestApp};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn refused(app: &TestApp, path: &str, token: &str, body: Value) -> Vec<String> {
    let (status, answer) = app.post(path, Some(token), &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
    assert_eq!(answer["status"], 422);
    fields(&answer)
}

#[tokio::test]
async fn bad_spaces_and_bookings_name_each_field() {
    let app = TestApp::builder()
        .settings(|s| s.booking().max_occurrences = 10)
        .spawn()
        .await;
    let admin = app.admin().await;
    let spaces = "/api/v1/spaces";
    let mut bad = json!({
        "name": "Sala", "building": "Palazzo", "address": "Via Dati 4", "kind": "hall",
        "capacity": 0, "time_zone": "Europe/Cremona",
        "opening_hours": [{ "weekday": "mon", "opens": "18:00", "closes": "09:00" }]
    });
    assert_eq!(
        refused(&app, spaces, &admin, bad.clone()).await,
        vec!["capacity", "time_zone", "opening_hours[0].closes"]
    );
    bad["capacity"] = json!(-5);
    bad["time_zone"] = json!("Europe/Rome");
    bad["opening_hours"] = json!([]);
    assert_eq!(
        refused(&app, spaces, &admin, bad.clone()).await,
        vec!["capacity"]
    );
    bad["capacity"] = json!(10);
    bad["kind"] = json!("ballroom");
    assert_eq!(refused(&app, spaces, &admin, bad).await, vec!["kind"]);

    let hall = space(&app, &admin, json!({ "capacity": 30 })).await;
    let bookings = "/api/v1/bookings";
    let request = |start: &str, end: &str, attendees: i64, rule: Option<&str>| {
        let mut body = json!({ "space_id": hall, "title": "Prove", "attendees": attendees,
                               "starts_at": start, "ends_at": end });
        if let Some(rule) = rule {
            body["recurrence"] = json!(rule);
        }
        body
    };
    let (s, e) = ("2027-05-04T18:00:00+02:00", "2027-05-04T20:00:00+02:00");
    assert_eq!(
        refused(&app, bookings, &admin, request(s, e, 31, None)).await,
        vec!["attendees"]
    );
    assert_eq!(
        refused(&app, bookings, &admin, request(e, s, 5, None)).await,
        vec!["ends_at"]
    );
    assert_eq!(
        refused(
            &app,
            bookings,
            &admin,
            request(
                "2020-05-04T18:00:00+02:00",
                "2020-05-04T20:00:00+02:00",
                5,
                None
            )
        )
        .await,
        vec!["starts_at"]
    );
    assert_eq!(
        refused(
            &app,
            bookings,
            &admin,
            request("2027-05-04 18:00", e, 5, None)
        )
        .await,
        vec!["starts_at"]
    );
    assert_eq!(
        refused(
            &app,
            bookings,
            &admin,
            request(s, e, 5, Some("FREQ=WEEKLY"))
        )
        .await,
        vec!["recurrence"]
    );
    assert_eq!(
        refused(
            &app,
            bookings,
            &admin,
            request(s, e, 5, Some("FREQ=WEEKLY;COUNT=11"))
        )
        .await,
        vec!["recurrence"]
    );
    assert_eq!(
        refused(
            &app,
            bookings,
            &admin,
            request(s, e, 5, Some("FREQ=SOMETIMES;COUNT=2"))
        )
        .await,
        vec!["recurrence"]
    );
    let mut malformed = request(s, e, 5, None);
    malformed["space_id"] = json!("sala-grande");
    assert_eq!(
        refused(&app, bookings, &admin, malformed).await,
        vec!["space_id"]
    );
    let (status, body) = app.get("/api/v1/bookings/not-an-id", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["id"]);
    let (status, body) = app
        .get(
            "/api/v1/spaces/42/availability?from=2027-05-01&to=2027-05-02",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["id"]);

    // Nothing was written by any of these.
    let (_, listed) = app.get(bookings, Some(&admin)).await;
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");

    let mut unknown = request(s, e, 5, None);
    unknown["space_id"] = json!(uuid::Uuid::now_v7());
    let (status, body) = app.post(bookings, Some(&admin), &unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn operators_act_on_their_own_organisations_bookings_only() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("Arci"))
        .await;
    let acli = app
        .user("ops@acli.test", Role::Operator, Some("Acli"))
        .await;
    let hall = space(&app, &admin, json!({})).await;
    let (status, made) = book(
        &app,
        &arci,
        &hall,
        "2027-05-04T18:00:00+02:00",
        "2027-05-04T20:00:00+02:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = made["id"].as_str().unwrap();
    let (status, _) = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&acli))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&acli),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &format!("/api/v1/bookings/{id}/approve"),
            Some(&arci),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, listed) = app.get("/api/v1/bookings", Some(&acli)).await;
    assert!(listed["items"].as_array().unwrap().is_empty());
    // Still held: Acli's attempt changed nothing.
    expect(
        &app,
        &format!("/api/v1/bookings/{id}/cancel"),
        Some(&arci),
        json!({}),
        StatusCode::OK,
    )
    .await;
    app.stop().await;
}
