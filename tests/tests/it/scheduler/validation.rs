//! Bad input: every field the issue names answers 422 with that field, unknown ids 404, and
//! nothing a client sends answers 500.

use super::{fields, published, season};
use piazza_e2e::{ServiceSections, app::TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn base(season: &str) -> Value {
    json!({
        "season_id": season, "title": "Evento", "categories": ["music"],
        "starts_at": "2027-03-02T18:00:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00"
    })
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test]
async fn bad_event_fields_answer_422_naming_the_field() {
    let app = TestApp::builder()
        .settings(|s| s.scheduler().max_occurrences = 20)
        .spawn()
        .await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let b = || base(&season);
    let cases: Vec<(Value, &str)> = vec![
        (
            with(b(), "recurrence", json!("FREQ=SOMETIMES;COUNT=3")),
            "recurrence",
        ),
        (
            with(b(), "recurrence", json!("every tuesday")),
            "recurrence",
        ),
        (
            with(b(), "recurrence", json!("FREQ=DAILY;COUNT=21")),
            "recurrence",
        ),
        (
            with(
                b(),
                "recurrence",
                json!("FREQ=DAILY;COUNT=3\nEXDATE:20270303"),
            ),
            "recurrence",
        ),
        (
            with(
                b(),
                "recurrence",
                json!("FREQ=DAILY;DTSTART=20270101T000000Z;COUNT=2"),
            ),
            "recurrence",
        ),
        (
            with(b(), "ends_at", json!("2027-03-02T17:00:00+01:00")),
            "ends_at",
        ),
        (
            with(b(), "ends_at", json!("2027-05-02T17:00:00+01:00")),
            "ends_at",
        ),
        (
            with(b(), "starts_at", json!("2027-03-02 18:00")),
            "starts_at",
        ),
        (
            with(with(b(), "age_min", json!(20)), "age_max", json!(10)),
            "age_min",
        ),
        (with(b(), "age_max", json!(300)), "age_max"),
        (with(b(), "categories", json!(["opera"])), "categories[0]"),
        (with(b(), "categories", json!([])), "categories"),
        (with(b(), "time_zone", json!("Europe/Cremona")), "time_zone"),
        (with(b(), "capacity", json!(0)), "capacity"),
        (with(b(), "price_cents", json!(-1)), "price_cents"),
        (with(b(), "funding_line", json!("pnrr")), "funding_line"),
        (with(b(), "exdates", json!(["martedì"])), "exdates[0]"),
        (
            with(b(), "registration_closes_minutes", json!(-5)),
            "registration_closes_minutes",
        ),
        (with(b(), "title", json!("  ")), "title"),
        (with(b(), "title", json!("x".repeat(201))), "title"),
        (
            with(
                with(b(), "starts_at", json!("2028-03-02T18:00:00+01:00")),
                "ends_at",
                json!("2028-03-02T19:00:00+01:00"),
            ),
            "starts_at",
        ),
        (with(b(), "unknown", json!(1)), "unknown"),
        (with(b(), "capacity", json!("ten")), "capacity"),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post("/api/v1/events", Some(&admin), &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        let named = fields(&problem);
        assert!(
            named.iter().any(|f| f == field),
            "{field} not in {named:?} for {body}"
        );
    }
    // The start and end both missing, and a body that is not JSON.
    let (status, problem) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({ "title": "x", "categories": ["music"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["starts_at"]);
    let raw = app
        .api
        .raw()
        .post(app.url("/api/v1/events"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Whatever the rule says, no 500.
    for rule in [
        "FREQ=YEARLY;BYMONTH=13;COUNT=2",
        "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
        "FREQ=WEEKLY;INTERVAL=0;COUNT=2",
        "FREQ=DAILY;UNTIL=2026",
        "FREQ=DAILY;UNTIL=19700101",
        "FREQ=HOURLY;COUNT=99999999999",
        "FREQ=MINUTELY;BYSETPOS=-400;COUNT=2",
        "RRULE:",
        ";;;",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=2",
        "FREQ=DAILY;BYHOUR=25;COUNT=2",
        "FREQ=SECONDLY;COUNT=5",
        "FREQ=YEARLY;BYWEEKNO=54;COUNT=2",
    ] {
        let (status, problem) = app
            .post(
                "/api/v1/events",
                Some(&admin),
                &with(b(), "recurrence", json!(rule)),
            )
            .await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{rule}: {status} {problem}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_ids_answer_404_and_bad_ids_422() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let nobody = uuid::Uuid::now_v7();
    for path in [
        format!("/api/v1/events/{nobody}"),
        format!("/api/v1/seasons/{nobody}"),
        format!("/api/v1/programmes/{nobody}"),
        format!("/api/v1/calls/{nobody}"),
        format!("/api/v1/proposals/{nobody}"),
        format!("/api/v1/seasons/{nobody}/clashes"),
    ] {
        let (status, problem) = app.get(&path, Some(&admin)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
    }
    for (path, body) in [
        (format!("/api/v1/events/{nobody}/publish"), json!({})),
        (
            format!("/api/v1/events/{nobody}/cancel"),
            json!({ "reason": "x" }),
        ),
        (
            format!("/api/v1/events/{nobody}/registrations"),
            json!({ "email": "a@example.org", "name": "A" }),
        ),
        (format!("/api/v1/registrations/{nobody}/cancel"), json!({})),
        (
            format!("/api/v1/proposals/{nobody}/decline"),
            json!({ "reason": "x" }),
        ),
        (
            "/api/v1/events".to_string(),
            with(base(&season), "season_id", json!(nobody)),
        ),
        (
            "/api/v1/events".to_string(),
            with(base(&season), "programme_id", json!(nobody)),
        ),
        (format!("/api/v1/seasons/{nobody}/publish"), json!({})),
    ] {
        let (status, problem) = app.post(&path, Some(&admin), &body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
    }
    let event = published(&app, &admin, base(&season)).await;
    let id = event["id"].as_str().unwrap();
    let (status, _) = app
        .patch(&format!("/api/v1/events/{id}/occurrences/{nobody}"), Some(&admin), &json!({ "starts_at": "2027-03-03T18:00:00+01:00", "ends_at": "2027-03-03T19:00:00+01:00" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = app.get("/api/v1/events/seven", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["id"]);
    let (status, problem) = app.get("/api/v1/programmes/seven", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    app.stop().await;
}

#[tokio::test]
async fn seasons_move_from_planning_to_published_to_archived_and_an_archived_one_takes_nothing_new()
{
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let (status, problem) = app
        .post(
            &format!("/api/v1/seasons/{season}/archive"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["type"], "urn:piazza:problem:season_state");
    let (_, shown) = app
        .post(
            &format!("/api/v1/seasons/{season}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(shown["status"], "published");
    published(&app, &admin, base(&season)).await;
    // Shrinking it past its events is refused.
    let (status, problem) = app
        .patch(
            &format!("/api/v1/seasons/{season}"),
            Some(&admin),
            &json!({ "starts_on": "2027-06-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["starts_on"]);
    let (_, shown) = app
        .post(
            &format!("/api/v1/seasons/{season}/archive"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(shown["status"], "archived");
    let (status, problem) = app
        .post("/api/v1/events", Some(&admin), &base(&season))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["season_id"]);
    let (status, problem) = app
        .patch(
            &format!("/api/v1/seasons/{season}"),
            Some(&admin),
            &json!({ "name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["type"], "urn:piazza:problem:season_archived");
    for body in [
        json!({ "name": "", "starts_on": "2027-01-01", "ends_on": "2027-02-01" }),
        json!({ "name": "S", "starts_on": "2027-02-01", "ends_on": "2027-01-01" }),
        json!({ "name": "S", "starts_on": "1 gennaio", "ends_on": "2027-01-01" }),
    ] {
        let (status, _) = app.post("/api/v1/seasons", Some(&admin), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    app.stop().await;
}
