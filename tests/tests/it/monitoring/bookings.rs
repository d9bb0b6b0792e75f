//! Approved bookings are space used, one fact per booked date, with the space's funding line; a
//! cancellation ends them for good, and a late approval does not bring them back.

use super::{facts_when, send};
use crate::booking::{expect, space};
use piazza_e2e::{
    app::TestApp,
    clock::{day_ahead, rome},
};
use piazza_shared::{
    auth::Role,
    contracts::{
        FundingLine,
        booking::{BookedDate, BookingApproved, BookingSummary},
    },
};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn approved_bookings_are_space_used_until_cancelled(app: TestApp) {
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let space_id = space(&app, &admin, json!({ "funding": "fesr" })).await;
    let day = day_ahead();
    let series = expect(
        &app,
        "/api/v1/bookings",
        Some(&operator),
        json!({
            "space_id": space_id, "title": "Prove del coro", "attendees": 10,
            "starts_at": rome(day, "18:00"), "ends_at": rome(day, "20:00"),
            "recurrence": "FREQ=WEEKLY;COUNT=2",
        }),
        StatusCode::CREATED,
    )
    .await;
    let id = series["id"].as_str().unwrap();
    expect(
        &app,
        &format!("/api/v1/bookings/{id}/approve"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let ours = |rows: &[piazza_monitoring::db::facts::Model]| {
        rows.iter()
            .filter(|f| f.space_id.map(|s| s.to_string()) == Some(space_id.clone()))
            .cloned()
            .collect::<Vec<_>>()
    };
    let used = facts_when(&app, "space_use", "two dates of space used", |rows| {
        ours(rows).iter().filter(|f| f.live).count() == 2
    })
    .await;
    let used = ours(&used);
    assert_eq!(
        used.iter()
            .map(|f| f.ends_at.unwrap() - f.at)
            .collect::<Vec<_>>(),
        [chrono::Duration::hours(2); 2],
        "{used:?}"
    );
    assert_eq!(
        (used[1].at - used[0].at),
        chrono::Duration::weeks(1),
        "a week apart"
    );
    assert_eq!(used[0].at.to_rfc3339(), {
        let start = chrono::DateTime::parse_from_rfc3339(&rome(day, "18:00")).unwrap();
        start.with_timezone(&chrono::Utc).to_rfc3339()
    });
    assert!(used.iter().all(|f| f.person_key.is_none() && f.amount == 1));

    // Cancelled: no longer used, for good.
    expect(
        &app,
        &format!("/api/v1/bookings/{id}/cancel"),
        Some(&operator),
        json!({ "scope": "series" }),
        StatusCode::OK,
    )
    .await;
    facts_when(&app, "space_use", "the cancelled dates", |rows| {
        let ours = ours(rows);
        ours.len() == 2 && ours.iter().all(|f| !f.live)
    })
    .await;

    // The approval again, late, with the space's funding line (as booking will send it), and in
    // the same message a new date: the new one counts with its line, the cancelled ones stay out.
    let new_date = Uuid::now_v7();
    let dates: Vec<BookedDate> = used
        .iter()
        .map(|f| BookedDate {
            booking_id: f.subject_id,
            starts_at: f.at,
            ends_at: f.ends_at.unwrap(),
        })
        .chain([BookedDate {
            booking_id: new_date,
            starts_at: used[1].at + chrono::Duration::weeks(1),
            ends_at: used[1].ends_at.unwrap() + chrono::Duration::weeks(1),
        }])
        .collect();
    let summary = BookingSummary {
        booking_id: dates[0].booking_id,
        series_id: None,
        space_id: space_id.parse().unwrap(),
        title: "Prove del coro".into(),
        starts_at: dates[0].starts_at,
        ends_at: dates[0].ends_at,
        occurrences: 3,
        organisation: Some("ARCI Cremona".into()),
        contact_email: Some("ops@arci.test".into()),
        event_id: None,
        organisation_id: None,
        dates,
        uses_booking_id: None,
        funding_line: Some(FundingLine::Fesr),
    };
    send(
        &app,
        "booking",
        &BookingApproved {
            version: 1,
            booking: summary,
        },
    )
    .await;
    let rows = facts_when(&app, "space_use", "the new date", |rows| {
        rows.iter().any(|f| f.subject_id == new_date)
    })
    .await;
    let rows = ours(&rows);
    let new = rows.iter().find(|f| f.subject_id == new_date).unwrap();
    assert!(new.live);
    assert_eq!(new.funding_line.as_deref(), Some("fesr"));
    assert_eq!(
        rows.iter().filter(|f| !f.live).count(),
        2,
        "the cancelled dates are not revived: {rows:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_bookings_are_space_used_until_cancelled_on_the_embedded_default() {
    approved_bookings_are_space_used_until_cancelled(TestApp::builder().spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approved_bookings_are_space_used_until_cancelled_on_postgres_and_rabbitmq() {
    approved_bookings_are_space_used_until_cancelled(
        TestApp::builder().postgres().rabbitmq().spawn().await,
    )
    .await;
}
