//! A space's iCalendar feed, read back by an independent parser (Python's `icalendar`): held
//! slots only (its own and those a floor booking takes from it), TENTATIVE while requested,
//! CONFIRMED once approved, titles and no personal data.

use super::{expect, space};
use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The calendar's occurrences between two dates, as the independent parser reads them.
fn parsed(ics: &str, from: &str, to: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("space.ics");
    std::fs::write(&file, ics).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/support/ics_check.py");
    let output = std::process::Command::new("python3")
        .args([script, file.to_str().unwrap(), from, to])
        .output()
        .expect("python3 with icalendar and recurring_ical_events");
    assert!(
        output.status.success(),
        "the parser refused the calendar: {}\n{ics}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_space_feed_lists_held_slots_with_titles_only() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let arci = app
        .user(
            "mario.rossi@arci.test",
            Role::Operator,
            Some("Arci Cremona"),
        )
        .await;
    let floor = space(&app, &admin, json!({ "name": "Piano nobile" })).await;
    let room = space(
        &app,
        &admin,
        json!({ "name": "Sala Zanoni", "parent_id": floor }),
    )
    .await;
    let title = "Prove; \"coro\", voci — più di 75 ottetti per vedere le righe ripiegate bene";
    let request = |space: &str, title: &str, start: &str, end: &str| json!({ "space_id": space, "title": title, "attendees": 8, "starts_at": start, "ends_at": end });
    let approved = expect(
        &app,
        "/api/v1/bookings",
        Some(&arci),
        request(
            &room,
            title,
            "2027-05-04T18:00:00+02:00",
            "2027-05-04T20:00:00+02:00",
        ),
        StatusCode::CREATED,
    )
    .await;
    expect(
        &app,
        &format!(
            "/api/v1/bookings/{}/approve",
            approved["id"].as_str().unwrap()
        ),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        "/api/v1/bookings",
        Some(&arci),
        request(
            &room,
            "Assemblea",
            "2027-05-05T18:00:00+02:00",
            "2027-05-05T19:00:00+02:00",
        ),
        StatusCode::CREATED,
    )
    .await;
    let cancelled = expect(
        &app,
        "/api/v1/bookings",
        Some(&arci),
        request(
            &room,
            "Annullata",
            "2027-05-06T18:00:00+02:00",
            "2027-05-06T19:00:00+02:00",
        ),
        StatusCode::CREATED,
    )
    .await;
    expect(
        &app,
        &format!(
            "/api/v1/bookings/{}/cancel",
            cancelled["id"].as_str().unwrap()
        ),
        Some(&arci),
        json!({}),
        StatusCode::OK,
    )
    .await;
    expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        request(
            &floor,
            "Festa del piano",
            "2027-05-07T21:00:00+02:00",
            "2027-05-07T23:00:00+02:00",
        ),
        StatusCode::CREATED,
    )
    .await;

    let response = app
        .api
        .raw()
        .get(app.url(&format!(
            "/api/v1/spaces/{room}/calendar.ics?from=2027-05-01&to=2027-05-31"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = response.text().await.unwrap();
    for private in ["mario.rossi", "arci", "Arci"] {
        assert!(!text.contains(private), "the feed shows {private}:\n{text}");
    }
    let calendar = parsed(&text, "2027-05-01", "2027-06-01");
    assert_eq!(calendar["name"], "Sala Zanoni");
    let events: Vec<(String, String, String, String)> = calendar["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["summary"].as_str().unwrap().to_string(),
                e["status"].as_str().unwrap().to_string(),
                e["start"].as_str().unwrap().to_string(),
                e["end"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |s: &str, st: &str, a: &str, b: &str| (s.into(), st.into(), a.into(), b.into());
    assert_eq!(
        events,
        vec![
            row(
                title,
                "CONFIRMED",
                "2027-05-04T16:00:00Z",
                "2027-05-04T18:00:00Z"
            ),
            row(
                "Assemblea",
                "TENTATIVE",
                "2027-05-05T16:00:00Z",
                "2027-05-05T17:00:00Z"
            ),
            row(
                "Festa del piano",
                "TENTATIVE",
                "2027-05-07T19:00:00Z",
                "2027-05-07T21:00:00Z"
            ),
        ]
    );
    let (status, _) = app
        .get(
            &format!("/api/v1/spaces/{}/calendar.ics", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .get(
            &format!("/api/v1/spaces/{room}/calendar.ics?from=soon"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(super::fields(&body), vec!["from"]);
    app.stop().await;
}
