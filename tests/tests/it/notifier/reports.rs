//! The outreach report: counts for administrators and evaluators (operators are refused), by
//! period, with no address or name in it.

use super::{WAIT, app, count_to, email, published_event, subscriber};
use piazza_e2e::eventually;
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outreach_report_counts_events_registrations_people_and_emails_without_naming_anyone() {
    let app = app().await;
    let admin = app.admin().await;
    let evaluator = app
        .user("valutatore@ente.test", Role::Evaluator, None)
        .await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;
    subscriber(&app, "uno@example.org", &["music"], "it", "instant").await;
    subscriber(
        &app,
        "due@example.org",
        &["music", "workshop"],
        "en",
        "instant",
    )
    .await;
    let concert = published_event(
        &app,
        &admin,
        json!({
            "title": "Concerto", "categories": ["music", "workshop"],
            "starts_at": "2027-03-03T21:00:00+01:00", "ends_at": "2027-03-03T23:00:00+01:00"
        }),
    )
    .await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Mostra", "categories": ["visual_arts"],
            "starts_at": "2027-06-03T18:00:00+02:00", "ends_at": "2027-06-03T20:00:00+02:00"
        }),
    )
    .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{concert}/registrations"),
            None,
            &json!({ "email": "tre@example.org", "name": "Tre" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    email(&app, "tre@example.org", "Iscrizione confermata").await;
    eventually("the announcements", WAIT, || async {
        (count_to(&app, "uno@example.org") == 2 && count_to(&app, "due@example.org") == 2)
            .then_some(())
    })
    .await;

    let path = "/api/v1/reports/outreach?from=2027-03-01&to=2027-03-31";
    let (status, _) = app.get(path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get(path, Some(&operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .get("/api/v1/reports/outreach?from=soon", Some(&evaluator))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "from");
    let (status, problem) = app
        .get(
            "/api/v1/reports/outreach?from=2027-03-02&to=2027-03-01",
            Some(&evaluator),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // March holds the concert, not the exhibition.
    let (status, march) = app.get(path, Some(&evaluator)).await;
    assert_eq!(status, StatusCode::OK, "{march}");
    assert_eq!(march["events"]["total"], 1, "{march}");
    assert_eq!(
        march["events"]["by_category"],
        json!({ "music": 1, "workshop": 1 })
    );
    // Emails and registrations are counted by when they happened: up to now, not in 2027.
    let (status, now) = app.get("/api/v1/reports/outreach", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert_eq!(
        now["events"]["total"], 0,
        "the events take place in 2027, not yet"
    );
    assert_eq!(now["registrations"]["total"], 1);
    assert_eq!(now["registrations"]["confirmed"], 1);
    assert_eq!(now["young_people_reached"], 3, "{now}");
    assert_eq!(now["emails_sent"]["by_kind"]["event_published"], 2, "{now}");
    assert_eq!(now["emails_sent"]["by_kind"]["confirm_subscription"], 2);
    assert_eq!(now["emails_sent"]["by_kind"]["registration_confirmed"], 1);
    assert_eq!(now["emails_sent"]["total"], 5);
    let text = now.to_string();
    assert!(!text.contains('@'), "no address in the report: {text}");
    assert_eq!(
        march["emails_sent"]["total"], 0,
        "nothing was sent in March 2027"
    );
    app.stop().await;
}
