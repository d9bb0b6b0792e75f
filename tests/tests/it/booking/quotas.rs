//! Quotas per organisation and space kind: a request that would pass the weekly or monthly
//! limit is refused with the quota, the period and the excess, and leaves no rows; cancelled
//! bookings give their hours back; administrators (no organisation) have none; and concurrent
//! requests of one organisation on PostgreSQL never add up past the limit.

use super::{book, expect, space};
use piazza_booking::config::Quota;
use piazza_e2e::{ServiceSections, app::TestApp};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

fn with_hall_quota(week: f64, month: f64) -> impl FnOnce(&mut piazza_shared::settings::Settings) {
    move |s| {
        s.booking().quotas.insert(
            "hall".into(),
            Quota {
                hours_per_week: Some(week),
                hours_per_month: Some(month),
            },
        );
    }
}

#[tokio::test]
async fn a_request_past_the_weekly_or_monthly_quota_says_which_and_by_how_much() {
    let app = TestApp::builder()
        .settings(with_hall_quota(6.0, 10.0))
        .spawn()
        .await;
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;
    let hall = space(&app, &admin, json!({})).await;
    let lab = space(&app, &admin, json!({ "name": "FabLab", "kind": "lab" })).await;

    // Week of Monday 1 March 2027: 4 h, then 3 h more would be 7 h of 6.
    let (status, first) = book(
        &app,
        &arci,
        &hall,
        "2027-03-02T10:00:00+01:00",
        "2027-03-02T14:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, refused) = book(
        &app,
        &arci,
        &hall,
        "2027-03-04T10:00:00+01:00",
        "2027-03-04T13:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["type"], "urn:piazza:problem:quota_exceeded");
    let excess = &refused["conflicts"][0];
    assert_eq!(excess["quota"], "hours_per_week", "{refused}");
    assert_eq!(excess["kind"], "hall");
    assert_eq!(excess["period"], "2027-W09");
    assert_eq!(excess["limit_hours"], 6.0);
    assert_eq!(excess["held_hours"], 7.0);
    assert_eq!(excess["over_by_hours"], 1.0);
    let (_, listed) = app.get("/api/v1/bookings", Some(&arci)).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "the refused request left no row"
    );

    // Up to the limit is fine; another kind of space has no quota; nor has the administrator.
    let (status, _) = book(
        &app,
        &arci,
        &hall,
        "2027-03-04T10:00:00+01:00",
        "2027-03-04T12:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = book(
        &app,
        &arci,
        &lab,
        "2027-03-05T08:00:00+01:00",
        "2027-03-05T20:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = book(
        &app,
        &admin,
        &hall,
        "2027-03-05T08:00:00+01:00",
        "2027-03-05T20:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // March so far holds 6 h; a weekly series of 2 h reaches 10 h in its second week and passes
    // the month in its third: the whole series is refused and names the month.
    let (status, refused) = app
        .post(
            "/api/v1/bookings",
            Some(&arci),
            &json!({ "space_id": hall, "title": "Laboratorio", "attendees": 10,
                     "starts_at": "2027-03-09T10:00:00+01:00", "ends_at": "2027-03-09T12:00:00+01:00",
                     "recurrence": "FREQ=WEEKLY;COUNT=3" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let excesses = refused["conflicts"].as_array().unwrap();
    assert_eq!(excesses.len(), 1, "{refused}");
    assert_eq!(excesses[0]["quota"], "hours_per_month");
    assert_eq!(excesses[0]["period"], "2027-03");
    assert_eq!(excesses[0]["over_by_hours"], 2.0);

    // Cancelling the first booking gives its 4 h back.
    let first_id = first["id"].as_str().unwrap();
    expect(
        &app,
        &format!("/api/v1/bookings/{first_id}/cancel"),
        Some(&arci),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let (status, body) = book(
        &app,
        &arci,
        &hall,
        "2027-03-03T10:00:00+01:00",
        "2027-03-03T14:00:00+01:00",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_of_one_organisation_never_pass_the_quota_on_postgres() {
    let app = TestApp::builder()
        .postgres()
        .settings(with_hall_quota(6.0, 100.0))
        .settings(|s| s.database_max_connections = 10)
        .spawn()
        .await;
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;
    let halls = futures::future::join_all(
        (0..4).map(|i| space(&app, &admin, json!({ "name": format!("Sala {i}") }))),
    )
    .await;
    // 48 requests of 59 minutes in one week, none overlapping another: only the quota limits them.
    let answers = futures::future::join_all((0..48).map(|i| {
        let (app, arci, hall) = (&app, &arci, &halls[i % 4]);
        let (day, hour) = (1 + (i / 4) % 6, 10 + i / 24);
        async move {
            book(
                app,
                arci,
                hall,
                &format!("2027-03-0{day}T{hour}:00:00+01:00"),
                &format!("2027-03-0{day}T{hour}:59:00+01:00"),
            )
            .await
        }
    }))
    .await;
    let held = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::CREATED || *status == StatusCode::CONFLICT,
            "{status}: {body}"
        );
    }
    assert_eq!(
        held, 6,
        "6 hours a week allow six bookings of 59 minutes, not seven"
    );
    let (_, listed) = app.get("/api/v1/bookings", Some(&arci)).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 6);
    app.stop().await;
}
