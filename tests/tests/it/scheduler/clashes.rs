//! The clash view of a season: the same audience (a shared category, overlapping ages) or the
//! same operator at overlapping times, and events still waiting for a space.

use super::{event, event_when, expect, season, space};
use piazza_e2e::app::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn weekly(
    season: &str,
    title: &str,
    categories: Value,
    ages: (u8, u8),
    organiser: &str,
    start: &str,
    end: &str,
) -> Value {
    json!({
        "season_id": season, "title": title, "categories": categories, "age_min": ages.0, "age_max": ages.1,
        "organiser": organiser, "starts_at": start, "ends_at": end, "recurrence": "FREQ=WEEKLY;COUNT=3"
    })
}

#[tokio::test]
async fn the_clash_view_shows_shared_audiences_and_operators_at_once_and_events_without_space() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let a = event(
        &app,
        &admin,
        weekly(
            &season,
            "Coro giovanile",
            json!(["music"]),
            (14, 19),
            "ARCI Cremona",
            "2027-03-02T18:00:00+01:00",
            "2027-03-02T20:00:00+01:00",
        ),
    )
    .await;
    let b = event(
        &app,
        &admin,
        weekly(
            &season,
            "Hip hop",
            json!(["dance", "music"]),
            (16, 25),
            "Cooperativa Iride",
            "2027-03-02T19:00:00+01:00",
            "2027-03-02T21:00:00+01:00",
        ),
    )
    .await;
    let c = event(
        &app,
        &admin,
        weekly(
            &season,
            "Jazz per adulti",
            json!(["music"]),
            (30, 40),
            "arci cremona",
            "2027-03-02T19:30:00+01:00",
            "2027-03-02T20:30:00+01:00",
        ),
    )
    .await;
    event(
        &app,
        &admin,
        weekly(
            &season,
            "Teatro",
            json!(["theatre"]),
            (14, 19),
            "Teatro Ponchielli",
            "2027-03-02T18:00:00+01:00",
            "2027-03-02T20:00:00+01:00",
        ),
    )
    .await;
    let gone = event(
        &app,
        &admin,
        weekly(
            &season,
            "Annullato",
            json!(["music"]),
            (14, 19),
            "Cooperativa Iride",
            "2027-03-02T18:00:00+01:00",
            "2027-03-02T20:00:00+01:00",
        ),
    )
    .await;
    expect(
        &app,
        &format!("/api/v1/events/{}/cancel", gone["id"].as_str().unwrap()),
        Some(&admin),
        json!({ "reason": "x" }),
        StatusCode::OK,
    )
    .await;
    // Two events for one room at one time: the second needs another space.
    let room = space(&app, &admin, "Sala Puerari").await;
    let slot = |title: &str, category: &str| {
        json!({
            "season_id": season, "title": title, "categories": [category], "space_id": room,
            "starts_at": "2027-05-04T10:00:00+02:00", "ends_at": "2027-05-04T12:00:00+02:00"
        })
    };
    let first = event(&app, &admin, slot("Consiglio dei giovani", "civic")).await;
    event_when(
        &app,
        &admin,
        first["id"].as_str().unwrap(),
        "the room",
        |e| e["space_status"] == "confirmed",
    )
    .await;
    let second = event(&app, &admin, slot("Assemblea", "other")).await;
    let second_id = second["id"].as_str().unwrap();
    event_when(&app, &admin, second_id, "the refusal", |e| {
        e["status"] == "needs_space"
    })
    .await;

    let (status, view) = app
        .get(&format!("/api/v1/seasons/{season}/clashes"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let clashes: Vec<(String, Vec<String>, u64)> = view["clashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut titles: Vec<String> = c["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["title"].as_str().unwrap().to_string())
                .collect();
            titles.sort();
            (
                c["kind"].as_str().unwrap().to_string(),
                titles,
                c["overlaps"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        clashes,
        [
            (
                "audience".to_string(),
                vec!["Coro giovanile".to_string(), "Hip hop".to_string()],
                3
            ),
            (
                "operator".to_string(),
                vec!["Coro giovanile".to_string(), "Jazz per adulti".to_string()],
                3
            ),
        ],
        "{view}"
    );
    let audience = &view["clashes"][0];
    assert_eq!(audience["categories"], json!(["music"]));
    assert_eq!(audience["starts_at"], "2027-03-02T18:00:00Z");
    assert_eq!(view["needs_space"].as_array().unwrap().len(), 1);
    assert_eq!(view["needs_space"][0]["event"]["id"], second_id);
    assert!(
        view["needs_space"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("taken"),
        "{view}"
    );
    let _ = (a, b, c);
    // Administrators only.
    let operator = app
        .user(
            "ops@arci.test",
            piazza_shared::auth::Role::Operator,
            Some("ARCI Cremona"),
        )
        .await;
    let (status, _) = app
        .get(
            &format!("/api/v1/seasons/{season}/clashes"),
            Some(&operator),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}
