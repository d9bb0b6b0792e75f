//! Date exceptions (a holiday closed, an evening opened late, a closed weekday opened) and
//! recurring closures with a reason, as availability and new bookings see them.

use super::{book, expect, fields, free, space};
use piazza_e2e::app::TestApp;
use reqwest::StatusCode;
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn exceptions_and_recurring_closures_shape_availability_and_bookings() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let hall = space(
        &app,
        &admin,
        json!({ "opening_hours": [{ "weekday": "tue", "opens": "09:00", "closes": "18:00" }] }),
    )
    .await;
    let base = format!("/api/v1/spaces/{hall}");
    for (date, hours, reason) in [
        ("2027-03-09", json!([]), "Festa di Sant'Omobono"),
        (
            "2027-03-16",
            json!([{ "opens": "09:00", "closes": "23:00" }]),
            "Notte dei musei",
        ),
        (
            "2027-03-03",
            json!([{ "opens": "10:00", "closes": "12:00" }]),
            "Open day",
        ),
    ] {
        let made = expect(
            &app,
            &format!("{base}/exceptions"),
            Some(&admin),
            json!({ "date": date, "opening_hours": hours, "reason": reason }),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(made["date"], date);
    }
    let closure = expect(
        &app,
        &format!("{base}/closures"),
        Some(&admin),
        json!({ "starts_at": "2027-03-02T12:00:00+01:00", "ends_at": "2027-03-02T13:00:00+01:00",
                "reason": "Pulizie", "recurrence": "FREQ=WEEKLY;COUNT=3" }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(closure["occurrences"].as_array().unwrap().len(), 3);
    assert!(closure["series_id"].is_string());

    assert_eq!(
        free(&app, &hall, "2027-03-01", "2027-03-21").await,
        pairs(&[
            ("2027-03-02T08:00:00Z", "2027-03-02T11:00:00Z"),
            ("2027-03-02T12:00:00Z", "2027-03-02T17:00:00Z"),
            ("2027-03-03T09:00:00Z", "2027-03-03T11:00:00Z"),
            ("2027-03-16T08:00:00Z", "2027-03-16T11:00:00Z"),
            ("2027-03-16T12:00:00Z", "2027-03-16T22:00:00Z"),
        ])
    );

    // The holiday refuses a booking as outside the hours; the late evening takes one; the
    // recurring closure is a conflict with its reason.
    let (status, body) = book(
        &app,
        &admin,
        &hall,
        "2027-03-09T10:00:00+01:00",
        "2027-03-09T11:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), vec!["starts_at"]);
    let (status, body) = book(
        &app,
        &admin,
        &hall,
        "2027-03-16T20:00:00+01:00",
        "2027-03-16T22:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = book(
        &app,
        &admin,
        &hall,
        "2027-03-09T12:15:00+01:00",
        "2027-03-09T12:45:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = book(
        &app,
        &admin,
        &hall,
        "2027-03-02T12:15:00+01:00",
        "2027-03-02T12:45:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["type"], "urn:piazza:problem:space_closed", "{body}");
    assert_eq!(body["conflicts"][0]["reason"], "closed: Pulizie");

    // Setting a date again replaces its hours; the list shows each date once.
    expect(
        &app,
        &format!("{base}/exceptions"),
        Some(&admin),
        json!({ "date": "2027-03-09", "opening_hours": [{ "opens": "14:00", "closes": "16:00" }],
                "reason": "Aperto il pomeriggio" }),
        StatusCode::CREATED,
    )
    .await;
    let (_, listed) = app.get(&format!("{base}/exceptions"), None).await;
    let dates: Vec<_> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(dates, vec!["2027-03-03", "2027-03-09", "2027-03-16"]);
    assert_eq!(
        free(&app, &hall, "2027-03-09", "2027-03-16").await,
        pairs(&[
            ("2027-03-09T13:00:00Z", "2027-03-09T15:00:00Z"),
            ("2027-03-16T08:00:00Z", "2027-03-16T11:00:00Z"),
            ("2027-03-16T12:00:00Z", "2027-03-16T19:00:00Z"),
            ("2027-03-16T21:00:00Z", "2027-03-16T22:00:00Z"),
        ])
    );

    // A recurring closure over a held slot is refused; bad rules and hours name their fields.
    let (status, body) = app
        .post(
            &format!("{base}/closures"),
            Some(&admin),
            &json!({ "starts_at": "2027-03-02T20:00:00+01:00", "ends_at": "2027-03-02T21:00:00+01:00",
                     "reason": "Manutenzione", "recurrence": "FREQ=WEEKLY;COUNT=3" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body["type"], "urn:piazza:problem:bookings_in_the_way",
        "{body}"
    );
    let (status, body) = app
        .post(
            &format!("{base}/closures"),
            Some(&admin),
            &json!({ "starts_at": "2027-03-02T20:00:00+01:00", "ends_at": "2027-03-02T21:00:00+01:00",
                     "reason": "Manutenzione", "recurrence": "FREQ=WEEKLY" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["recurrence"]);
    let (status, body) = app
        .post(
            &format!("{base}/exceptions"),
            Some(&admin),
            &json!({ "date": "2027-02-30", "opening_hours": [{ "opens": "18:00", "closes": "09:00" }],
                     "reason": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&body),
        vec!["date", "opening_hours[0].closes", "reason"]
    );
    app.stop().await;
}
