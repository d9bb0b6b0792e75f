//! Registrations: a full event waitlists in order, a cancellation (through the signed link the
//! messages carry, or by an administrator) promotes the first in line, a pathway is registered
//! for as a whole and refuses when full without a waitlist, and registrations close before the
//! start. Every change is a `registration.*` message for the notifier.

use super::{BOOKING_AND_SCHEDULER, Tap, expect, fields, published, season};
use piazza_e2e::app::TestApp;
use piazza_shared::contracts::registration::{
    RegistrationCancelled, RegistrationConfirmed, RegistrationPromoted, RegistrationWaitlisted,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn register(app: &TestApp, path: &str, email: &str, status: StatusCode) -> Value {
    expect(
        app,
        path,
        None,
        json!({ "email": email, "name": email.split('@').next().unwrap(), "language": "en" }),
        status,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_event_waitlists_in_order_and_a_cancellation_promotes_the_first_in_line() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    let tap = Tap::start(&app).await;
    let admin = app.admin().await;
    let event = published(
        &app,
        &admin,
        json!({
            "title": "Laboratorio di serigrafia", "categories": ["workshop"], "capacity": 2,
            "starts_at": "2027-04-10T15:00:00+02:00", "ends_at": "2027-04-10T18:00:00+02:00"
        }),
    )
    .await;
    let id = event["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/events/{id}/registrations");
    let ada = register(&app, &path, "ada@example.org", StatusCode::CREATED).await;
    let bea = register(&app, &path, "Bea@Example.org", StatusCode::CREATED).await;
    let cai = register(&app, &path, "cai@example.org", StatusCode::CREATED).await;
    let dan = register(&app, &path, "dan@example.org", StatusCode::CREATED).await;
    assert_eq!(
        [&ada, &bea, &cai, &dan].map(|r| r["status"].as_str().unwrap().to_string()),
        ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    );
    assert_eq!(cai["waitlist_position"], 1);
    assert_eq!(dan["waitlist_position"], 2);
    assert_eq!(bea["email"], "bea@example.org");
    // Registering again changes nothing and says nothing.
    let again = register(&app, &path, "ADA@example.org", StatusCode::OK).await;
    assert_eq!(again["id"], ada["id"]);
    let waitlisted = tap
        .wait::<RegistrationWaitlisted>("dan waitlisted", |m| {
            m.0.registration.email == "dan@example.org"
        })
        .await;
    assert_eq!(waitlisted.0.registration.waitlist_position, Some(2));
    assert_eq!(waitlisted.0.event.event_id.to_string(), id);
    assert_eq!(
        tap.all::<RegistrationConfirmed>()
            .iter()
            .filter(|m| m.0.registration.email == "ada@example.org")
            .count(),
        1
    );

    // Bea cancels through the link in her confirmation: the page asks, the button cancels.
    let confirmed = tap
        .wait::<RegistrationConfirmed>("bea confirmed", |m| {
            m.0.registration.email == "bea@example.org"
        })
        .await;
    let link = confirmed
        .0
        .registration
        .cancel_url
        .clone()
        .expect("a cancel link");
    let link = link.replace(
        &app.settings.public_url().to_string(),
        &format!("{}/", app.base),
    );
    let page = app.api.raw().get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    let (_, still) = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(
        still["places"]["confirmed"], 2,
        "opening the link cancels nothing"
    );
    let done = app.api.raw().post(&link).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let cancelled = tap
        .wait::<RegistrationCancelled>("bea cancelled", |m| {
            m.0.registration.email == "bea@example.org"
        })
        .await;
    assert_eq!(cancelled.0.registration.cancel_url, None);
    let promoted = tap
        .wait::<RegistrationPromoted>("cai promoted", |m| {
            m.0.registration.email == "cai@example.org"
        })
        .await;
    assert_eq!(promoted.0.registration.waitlist_position, None);

    // A forged link is refused; an administrator may cancel for someone.
    let cai_id = cai["id"].as_str().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/registrations/{cai_id}/cancel?token=v1.x.y.z"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let bea_token = link.split("token=").nth(1).unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/registrations/{cai_id}/cancel?token={bea_token}"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "one registration's link cancels no other"
    );
    let gone = expect(
        &app,
        &format!("/api/v1/registrations/{cai_id}/cancel"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(gone["status"], "cancelled");
    tap.wait::<RegistrationPromoted>("dan promoted", |m| {
        m.0.registration.email == "dan@example.org"
    })
    .await;

    let (_, list) = app.get(&path, Some(&admin)).await;
    let statuses: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["email"].as_str().unwrap().into(),
                r["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("ada@example.org".to_string(), "confirmed".to_string()),
            ("bea@example.org".into(), "cancelled".into()),
            ("cai@example.org".into(), "cancelled".into()),
            ("dan@example.org".into(), "confirmed".into()),
        ]
    );
    let (_, page) = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(page["places"]["confirmed"], 2);
    assert_eq!(page["places"]["left"], 0);

    // The limit lifted: everyone waiting gets a place at once.
    let eve = register(&app, &path, "eve@example.org", StatusCode::CREATED).await;
    assert_eq!(eve["status"], "waitlisted");
    let (status, lifted) = app
        .patch(
            &format!("/api/v1/events/{id}"),
            Some(&admin),
            &json!({ "capacity": null }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{lifted}");
    tap.wait::<RegistrationPromoted>("eve promoted", |m| {
        m.0.registration.email == "eve@example.org"
    })
    .await;
    // Anyone may register, nobody but the organisers may read the list.
    let (status, _) = app.get(&path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn a_pathway_is_taken_as_a_whole_and_refuses_with_422_when_full_without_a_waitlist() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let pathway = expect(
        &app,
        "/api/v1/programmes",
        Some(&admin),
        json!({ "season_id": season, "name": "Percorso educativo Ponte", "kind": "pathway", "capacity": 1, "waitlist": false }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(pathway["taken_as_whole"], true);
    let programme = pathway["id"].as_str().unwrap();
    let session = published(
        &app,
        &admin,
        json!({
            "season_id": season, "programme_id": programme, "title": "Incontro", "categories": ["socio_educational"],
            "starts_at": "2027-04-06T16:00:00+02:00", "ends_at": "2027-04-06T18:00:00+02:00",
            "recurrence": "FREQ=WEEKLY;COUNT=6"
        }),
    )
    .await;
    let session_id = session["id"].as_str().unwrap();
    let first = register(
        &app,
        &format!("/api/v1/programmes/{programme}/registrations"),
        "eva@example.org",
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["programme_id"], programme);
    assert_eq!(first["event_id"], Value::Null);
    let problem = register(
        &app,
        &format!("/api/v1/programmes/{programme}/registrations"),
        "fra@example.org",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["programme_id"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("no waitlist"),
        "{problem}"
    );
    // A session's own registration goes to its pathway.
    let problem = register(
        &app,
        &format!("/api/v1/events/{session_id}/registrations"),
        "fra@example.org",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["event_id"]);
    let (_, page) = app.get(&format!("/api/v1/events/{session_id}"), None).await;
    assert_eq!(page["places"]["programme_id"], programme);
    assert_eq!(page["places"]["confirmed"], 1);
    let (_, whole) = app
        .get(&format!("/api/v1/programmes/{programme}"), None)
        .await;
    assert_eq!(whole["events"].as_array().unwrap().len(), 1);
    assert_eq!(whole["places"]["left"], 0);
    // One more place: Fra gets in.
    let (status, _) = app
        .patch(
            &format!("/api/v1/programmes/{programme}"),
            Some(&admin),
            &json!({ "capacity": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = register(
        &app,
        &format!("/api/v1/events/{session_id}/registrations"),
        "fra@example.org",
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(second["status"], "confirmed");
    assert_eq!(second["programme_id"], programme);
    // A festival's events are registered for one by one.
    let festival = expect(
        &app,
        "/api/v1/programmes",
        Some(&admin),
        json!({ "season_id": season, "name": "Festival", "kind": "festival" }),
        StatusCode::CREATED,
    )
    .await;
    let problem = register(
        &app,
        &format!(
            "/api/v1/programmes/{}/registrations",
            festival["id"].as_str().unwrap()
        ),
        "gio@example.org",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["programme_id"]);
    app.stop().await;
}

#[tokio::test]
async fn registrations_close_before_the_start_and_only_public_events_take_them() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let soon =
        |hours: i64| (piazza_e2e::clock::now() + chrono::Duration::hours(hours)).to_rfc3339();
    let starting = |title: &str, hours: i64, closes: Option<i64>| {
        json!({
            "title": title, "categories": ["civic"], "starts_at": soon(hours), "ends_at": soon(hours + 1),
            "registration_closes_minutes": closes
        })
    };
    // Starts in three hours: open with the default hour, closed when closing four hours before.
    let open = published(&app, &admin, starting("Assemblea", 3, None)).await;
    register(
        &app,
        &format!(
            "/api/v1/events/{}/registrations",
            open["id"].as_str().unwrap()
        ),
        "ugo@example.org",
        StatusCode::CREATED,
    )
    .await;
    let early = published(&app, &admin, starting("Assemblea bis", 3, Some(240))).await;
    let problem = register(
        &app,
        &format!(
            "/api/v1/events/{}/registrations",
            early["id"].as_str().unwrap()
        ),
        "ugo@example.org",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["event_id"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("closed"),
        "{problem}"
    );
    // A draft does not exist for the public; a cancelled event takes no one.
    let draft = super::event(&app, &admin, starting("Bozza", 48, None)).await;
    let (status, _) = app
        .post(
            &format!(
                "/api/v1/events/{}/registrations",
                draft["id"].as_str().unwrap()
            ),
            None,
            &json!({ "email": "ugo@example.org", "name": "Ugo" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let gone = published(&app, &admin, starting("Annullata", 48, None)).await;
    let gone_id = gone["id"].as_str().unwrap();
    expect(
        &app,
        &format!("/api/v1/events/{gone_id}/cancel"),
        Some(&admin),
        json!({ "reason": "Maltempo" }),
        StatusCode::OK,
    )
    .await;
    let problem = register(
        &app,
        &format!("/api/v1/events/{gone_id}/registrations"),
        "ugo@example.org",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["event_id"]);
    // A malformed address or a missing name names the field.
    let (status, problem) = app
        .post(
            &format!(
                "/api/v1/events/{}/registrations",
                open["id"].as_str().unwrap()
            ),
            None,
            &json!({ "email": "not-an-address", "name": " " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&problem), ["email", "name"]);
    app.stop().await;
}

/// The event's places, as the public sees them.
async fn places(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/events/{id}"), None).await.1["places"].clone()
}

/// Registers `email` for the date `occurrence` of the event at `path`.
async fn register_for(
    app: &TestApp,
    path: &str,
    email: &str,
    occurrence: &str,
    status: StatusCode,
) -> Value {
    expect(
        app,
        path,
        None,
        json!({ "email": email, "name": "Ada", "language": "en", "occurrence_id": occurrence }),
        status,
    )
    .await
}

/// A weekly event is registered for date by date: each date has its own places and waitlist,
/// and a cancellation promotes the first in line for that date only.
async fn a_weekly_event_has_places_and_a_waitlist_for_each_date(app: TestApp) {
    let admin = app.admin().await;
    let day = piazza_e2e::clock::day_ahead();
    let rome = piazza_e2e::clock::rome;
    let event = published(
        &app,
        &admin,
        json!({
            "title": "Laboratorio di fumetto", "categories": ["workshop"], "capacity": 1,
            "starts_at": rome(day, "17:00"), "ends_at": rome(day, "19:00"),
            "recurrence": "FREQ=WEEKLY;COUNT=3"
        }),
    )
    .await;
    let id = event["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/events/{id}/registrations");
    let dates = places(&app, &id).await["dates"].as_array().unwrap().clone();
    assert_eq!(dates.len(), 3, "{dates:?}");
    let first = dates[0]["occurrence_id"].as_str().unwrap().to_string();
    let second = dates[1]["occurrence_id"].as_str().unwrap().to_string();

    // Without a date, or with one that is not the event's, the date's field says so.
    let problem = register(
        &app,
        &path,
        "ada@example.org",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["occurrence_id"], "{problem}");
    let other = uuid::Uuid::now_v7().to_string();
    let problem = register_for(
        &app,
        &path,
        "ada@example.org",
        &other,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["occurrence_id"], "{problem}");

    // The first date fills; the second still has its place.
    let ada = register_for(&app, &path, "ada@example.org", &first, StatusCode::CREATED).await;
    assert_eq!(ada["status"], "confirmed");
    assert_eq!(ada["occurrence_id"], first.as_str());
    let bea = register_for(&app, &path, "bea@example.org", &first, StatusCode::CREATED).await;
    assert_eq!(bea["status"], "waitlisted");
    assert_eq!(bea["waitlist_position"], 1);
    let now = places(&app, &id).await;
    assert_eq!(now["dates"][0]["left"], 0, "{now}");
    assert_eq!(now["dates"][0]["waitlisted"], 1, "{now}");
    assert_eq!(now["dates"][1]["left"], 1, "{now}");
    let cai = register_for(&app, &path, "cai@example.org", &second, StatusCode::CREATED).await;
    assert_eq!(
        cai["status"], "confirmed",
        "the second date had its own place"
    );
    // The same person may take another date: it is a registration of its own.
    let ada_again =
        register_for(&app, &path, "ada@example.org", &second, StatusCode::CREATED).await;
    assert_eq!(ada_again["status"], "waitlisted");
    assert_ne!(ada_again["id"], ada["id"]);

    // Ada gives up the first date: Bea, first in line for it, gets the place; the second date
    // is as it was.
    let ada_id = ada["id"].as_str().unwrap();
    expect(
        &app,
        &format!("/api/v1/registrations/{ada_id}/cancel"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let (status, listed) = app.get(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let state = |email: &str, date: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email && r["occurrence_id"] == date)
            .map(|r| r["status"].as_str().unwrap().to_string())
    };
    assert_eq!(
        state("ada@example.org", &first).as_deref(),
        Some("cancelled")
    );
    assert_eq!(
        state("bea@example.org", &first).as_deref(),
        Some("confirmed")
    );
    assert_eq!(
        state("cai@example.org", &second).as_deref(),
        Some("confirmed")
    );
    assert_eq!(
        state("ada@example.org", &second).as_deref(),
        Some("waitlisted")
    );
    let now = places(&app, &id).await;
    assert_eq!(now["dates"][0]["confirmed"], 1, "{now}");
    assert_eq!(now["dates"][0]["waitlisted"], 0, "{now}");
    assert_eq!(now["dates"][1]["waitlisted"], 1, "{now}");
}

#[tokio::test]
async fn a_weekly_event_has_places_for_each_date_on_sqlite() {
    a_weekly_event_has_places_and_a_waitlist_for_each_date(TestApp::builder().spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weekly_event_has_places_for_each_date_on_postgres_and_rabbitmq() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    a_weekly_event_has_places_and_a_waitlist_for_each_date(app).await;
}
