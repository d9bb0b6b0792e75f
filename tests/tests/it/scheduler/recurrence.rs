//! Series: local times that hold across daylight-saving changes, local times that do not exist
//! or happen twice, rules that run to the season's end, and editing one occurrence, or it and the
//! following ones, without disturbing the rest.

use super::{event, expect, published, season};
use piazza_e2e::app::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn starts(event: &Value) -> Vec<String> {
    event["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["starts_at"].as_str().unwrap().to_string())
        .collect()
}

fn rome(instant: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(instant)
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Rome)
        .format("%a %d %b %H:%M")
        .to_string()
}

#[tokio::test]
async fn a_tuesday_series_stays_at_18_00_in_rome_across_both_clock_changes_of_2027() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let body = json!({
        "season_id": season, "title": "Laboratorio di fumetto", "categories": ["workshop"],
        "starts_at": "2027-03-02T18:00:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00",
        "time_zone": "Europe/Rome", "recurrence": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20271130"
    });
    let series = published(&app, &admin, body).await;
    let all = starts(&series);
    assert_eq!(all.len(), 40);
    for start in &all {
        assert!(
            rome(start).starts_with("Tue") && rome(start).ends_with("18:00"),
            "{start}"
        );
    }
    // The UTC instant moves with the clocks: the last Sundays of March and October 2027.
    for (before, after) in [
        ("2027-03-23T17:00:00", "2027-03-30T16:00:00"),
        ("2027-10-26T16:00:00", "2027-11-02T17:00:00"),
    ] {
        assert!(
            all.iter().any(|s| s.starts_with(before)),
            "{before} in {all:?}"
        );
        assert!(
            all.iter().any(|s| s.starts_with(after)),
            "{after} in {all:?}"
        );
    }
    // The public calendar lists the same occurrences at the same local time.
    let (status, page) = app
        .get("/api/v1/events?from=2027-03-20&to=2027-04-05", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let listed: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| rome(i["starts_at"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, ["Tue 23 Mar 18:00", "Tue 30 Mar 18:00"]);

    // 02:30 does not exist on 28 March (it is read as 03:30, RFC 5545) and happens twice on
    // 31 October (the first one is meant).
    for (first, expected) in [
        (
            "2027-03-27T02:30:00+01:00",
            ["Sat 27 Mar 02:30", "Sun 28 Mar 03:30", "Mon 29 Mar 02:30"],
        ),
        (
            "2027-10-30T02:30:00+02:00",
            ["Sat 30 Oct 02:30", "Sun 31 Oct 02:30", "Mon 01 Nov 02:30"],
        ),
    ] {
        let start = chrono::DateTime::parse_from_rfc3339(first).unwrap();
        let night = event(
            &app,
            &admin,
            json!({
                "title": "Osservazione delle stelle", "categories": ["other"],
                "starts_at": first, "ends_at": (start + chrono::Duration::minutes(30)).to_rfc3339(),
                "recurrence": "FREQ=DAILY;COUNT=3"
            }),
        )
        .await;
        let local: Vec<String> = starts(&night).iter().map(|s| rome(s)).collect();
        assert_eq!(local, expected);
    }
    let october = starts(
        &event(
            &app,
            &admin,
            json!({
                "title": "Osservazione", "categories": ["other"],
                "starts_at": "2027-10-31T02:30:00+02:00", "ends_at": "2027-10-31T03:00:00+02:00"
            }),
        )
        .await,
    );
    assert_eq!(october, ["2027-10-31T00:30:00Z"]);
    app.stop().await;
}

#[tokio::test]
async fn an_open_ended_rule_runs_to_the_end_of_its_season_and_skips_its_exdates() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let (_, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Primavera", "starts_on": "2027-03-01", "ends_on": "2027-03-31" }),
        )
        .await;
    let series = event(
        &app,
        &admin,
        json!({
            "season_id": season["id"], "title": "Coro", "categories": ["music"],
            "starts_at": "2027-03-04T21:00:00+01:00", "ends_at": "2027-03-04T22:30:00+01:00",
            "recurrence": "FREQ=WEEKLY;BYDAY=TH", "exdates": ["2027-03-18"]
        }),
    )
    .await;
    let local: Vec<String> = starts(&series).iter().map(|s| rome(s)).collect();
    assert_eq!(
        local,
        ["Thu 04 Mar 21:00", "Thu 11 Mar 21:00", "Thu 25 Mar 21:00"]
    );
    assert_eq!(series["exdates"], json!(["2027-03-18"]));
    // Without a season the same rule never ends.
    let (status, problem) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Coro", "categories": ["music"], "recurrence": "FREQ=WEEKLY",
                "starts_at": "2027-03-04T21:00:00+01:00", "ends_at": "2027-03-04T22:30:00+01:00"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(super::fields(&problem), ["recurrence"]);
    app.stop().await;
}

fn occurrence(event: &Value, index: usize) -> Value {
    event["occurrences"][index].clone()
}

#[tokio::test]
async fn one_occurrence_or_it_and_the_following_ones_change_and_the_rest_stay() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let series = published(
        &app,
        &admin,
        json!({
            "season_id": season, "title": "Percorso di teatro", "categories": ["theatre"],
            "starts_at": "2027-03-02T18:00:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00",
            "recurrence": "FREQ=WEEKLY;BYDAY=TU;COUNT=8"
        }),
    )
    .await;
    let id = series["id"].as_str().unwrap().to_string();
    let ids: Vec<String> = (0..8)
        .map(|i| occurrence(&series, i)["id"].as_str().unwrap().to_string())
        .collect();
    let path = |o: &str| format!("/api/v1/events/{id}/occurrences/{o}");

    // The third moves to Wednesday evening; nothing else does.
    let (status, after) = app
        .patch(
            &path(&ids[2]),
            Some(&admin),
            &json!({ "starts_at": "2027-03-17T19:00:00+01:00", "ends_at": "2027-03-17T21:00:00+01:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let moved = after["occurrences"].as_array().unwrap();
    let third = moved.iter().find(|o| o["id"] == ids[2].as_str()).unwrap();
    assert_eq!(
        rome(third["starts_at"].as_str().unwrap()),
        "Wed 17 Mar 19:00"
    );
    assert_eq!(third["sequence"], 1);
    let fourth = moved.iter().find(|o| o["id"] == ids[3].as_str()).unwrap();
    assert_eq!(
        rome(fourth["starts_at"].as_str().unwrap()),
        "Tue 23 Mar 18:00"
    );
    assert_eq!(fourth["sequence"], 0);

    // From the fifth on, an hour later (in local time, across the clock change).
    let (status, after) = app
        .patch(
            &path(&ids[4]),
            Some(&admin),
            &json!({ "starts_at": "2027-03-30T19:00:00+02:00", "ends_at": "2027-03-30T21:00:00+02:00", "scope": "following" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let local: Vec<String> = starts(&after).iter().map(|s| rome(s)).collect();
    assert_eq!(
        local,
        [
            "Tue 02 Mar 18:00",
            "Tue 09 Mar 18:00",
            "Wed 17 Mar 19:00",
            "Tue 23 Mar 18:00",
            "Tue 30 Mar 19:00",
            "Tue 06 Apr 19:00",
            "Tue 13 Apr 19:00",
            "Tue 20 Apr 19:00"
        ]
    );

    // The second is cancelled alone, then the seventh and those after it.
    let cancel = |o: &str| format!("/api/v1/events/{id}/occurrences/{o}/cancel");
    expect(
        &app,
        &cancel(&ids[1]),
        Some(&admin),
        json!({ "reason": "Sala occupata" }),
        StatusCode::OK,
    )
    .await;
    let after = expect(
        &app,
        &cancel(&ids[6]),
        Some(&admin),
        json!({ "reason": "Fine anticipata", "scope": "following" }),
        StatusCode::OK,
    )
    .await;
    let status_of = |e: &Value, o: &str| {
        e["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == o)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let statuses: Vec<String> = ids.iter().map(|o| status_of(&after, o)).collect();
    assert_eq!(
        statuses,
        [
            "scheduled",
            "cancelled",
            "scheduled",
            "scheduled",
            "scheduled",
            "scheduled",
            "cancelled",
            "cancelled"
        ]
    );
    assert_eq!(after["exdates"], json!(["2027-03-09"]));
    assert!(
        after["recurrence"]
            .as_str()
            .unwrap()
            .contains("UNTIL=20270413T155959Z"),
        "{}",
        after["recurrence"]
    );
    assert_eq!(after["status"], "published");

    // Re-timing the series keeps each occurrence's id and leaves the cancelled ones out.
    let (status, after) = app
        .patch(
            &format!("/api/v1/events/{id}"),
            Some(&admin),
            &json!({ "starts_at": "2027-03-02T18:30:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let scheduled: Vec<(String, String)> = after["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "scheduled")
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_string(),
                rome(o["starts_at"].as_str().unwrap()),
            )
        })
        .collect();
    assert_eq!(
        scheduled,
        [
            (ids[0].clone(), "Tue 02 Mar 18:30".to_string()),
            (ids[2].clone(), "Tue 16 Mar 18:30".to_string()),
            (ids[3].clone(), "Tue 23 Mar 18:30".to_string()),
            (ids[4].clone(), "Tue 30 Mar 18:30".to_string()),
            (ids[5].clone(), "Tue 06 Apr 18:30".to_string()),
        ]
    );
    assert!(after["sequence"].as_u64().unwrap() > series["sequence"].as_u64().unwrap());

    // Cancelling what is left cancels the event.
    for o in [&ids[0], &ids[2], &ids[3], &ids[4]] {
        expect(
            &app,
            &cancel(o),
            Some(&admin),
            json!({ "reason": "Annullato" }),
            StatusCode::OK,
        )
        .await;
    }
    let last = expect(
        &app,
        &cancel(&ids[5]),
        Some(&admin),
        json!({ "reason": "Annullato" }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(last["status"], "cancelled");
    let (status, problem) = app
        .patch(
            &format!("/api/v1/events/{id}"),
            Some(&admin),
            &json!({ "title": "Ancora" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    app.stop().await;
}
