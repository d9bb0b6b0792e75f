//! Weekly series across the last Sundays of March and October keep their local start time;
//! an all-or-nothing series with one clash is refused whole and leaves no rows;
//! `skip_conflicts` books the rest and names the skipped dates.

use super::{expect, space};
use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Europe::Rome;
use piazza_e2e::app::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn local_hour(value: &Value) -> (u32, u32) {
    let t: DateTime<Utc> = value.as_str().unwrap().parse().unwrap();
    let local = t.with_timezone(&Rome);
    (local.hour(), local.minute())
}

#[tokio::test]
async fn a_weekly_series_across_both_clock_changes_keeps_its_local_start_time() {
    let app = TestApp::builder().postgres().spawn().await;
    let admin = app.admin().await;
    let hall = space(&app, &admin, json!({})).await;
    // Tuesdays at 18:00 from 16 March to 9 November 2027: summer time starts on 28 March and
    // ends on 31 October.
    let created = expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        json!({ "space_id": hall, "title": "Coro giovanile", "attendees": 20,
                "starts_at": "2027-03-16T18:00:00+01:00", "ends_at": "2027-03-16T20:00:00+01:00",
                "recurrence": "FREQ=WEEKLY;UNTIL=20271110T000000Z" }),
        StatusCode::CREATED,
    )
    .await;
    let occurrences = created["occurrences"].as_array().unwrap();
    assert_eq!(occurrences.len(), 35);
    for o in occurrences {
        assert_eq!(local_hour(&o["starts_at"]), (18, 0), "{o}");
        assert_eq!(local_hour(&o["ends_at"]), (20, 0), "{o}");
    }
    let utc = |i: usize| occurrences[i]["starts_at"].as_str().unwrap().to_string();
    assert!(utc(1).starts_with("2027-03-23T17:00:00"), "{}", utc(1));
    assert!(utc(2).starts_with("2027-03-30T16:00:00"), "{}", utc(2));
    assert!(utc(32).starts_with("2027-10-26T16:00:00"), "{}", utc(32));
    assert!(utc(33).starts_with("2027-11-02T17:00:00"), "{}", utc(33));
    app.stop().await;
}

#[tokio::test]
async fn a_series_with_one_clash_is_refused_whole_unless_asked_to_skip_it() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let hall = space(&app, &admin, json!({})).await;
    expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        json!({ "space_id": hall, "title": "Concerto", "attendees": 50,
                "starts_at": "2027-04-13T19:00:00+02:00", "ends_at": "2027-04-13T21:00:00+02:00" }),
        StatusCode::CREATED,
    )
    .await;
    let series = json!({ "space_id": hall, "title": "Laboratorio", "attendees": 12,
        "starts_at": "2027-04-06T18:00:00+02:00", "ends_at": "2027-04-06T20:00:00+02:00",
        "recurrence": "FREQ=WEEKLY;COUNT=4" });
    let refused = expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        series.clone(),
        StatusCode::CONFLICT,
    )
    .await;
    let conflicts = refused["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{refused}");
    assert!(
        conflicts[0]["starts_at"]
            .as_str()
            .unwrap()
            .starts_with("2027-04-13T16:00:00")
    );
    let (_, listed) = app
        .get(&format!("/api/v1/bookings?space_id={hall}"), Some(&admin))
        .await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "a refused series leaves no rows"
    );

    let mut skipping = series;
    skipping["skip_conflicts"] = json!(true);
    let made = expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        skipping,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made["occurrences"].as_array().unwrap().len(), 3);
    assert_eq!(made["skipped"].as_array().unwrap().len(), 1);
    app.stop().await;
}
