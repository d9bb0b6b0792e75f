//! In Chromium, as people click: an operator proposes an event in its own approved booking by
//! picking the booking on `/propose` (the space, day and times come from it), an administrator
//! schedules the proposal from the events page and the event gets the space without a second
//! hold; the season planner shows the booking beside the event it hosts.

use super::{PASSWORD, day_ahead, hall, log_in, page, rome, sign_in, submit};
use chrono::Duration;
use piazza_e2e::{app::TestApp, browser::Browser, eventually};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// How long anything asynchronous may take.
const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = app.post(path, Some(token), &body).await;
    assert!(status.is_success(), "POST {path}: {status} {answer}");
    answer
}

#[tokio::test]
async fn an_operator_picks_its_booking_on_propose_and_the_administrator_schedules_it() {
    propose_in_own_booking(TestApp::builder().spawn().await).await;
}

#[tokio::test]
async fn an_operator_picks_its_booking_on_propose_and_the_administrator_schedules_it_on_postgres_and_rabbitmq()
 {
    propose_in_own_booking(TestApp::builder().postgres().rabbitmq().spawn().await).await;
}

async fn propose_in_own_booking(app: TestApp) {
    let admin = app.admin().await;
    let room = hall(&app, &admin).await;
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    let operator = app.api.login(&app.base, "ops@arci.test", PASSWORD).await;
    let day = day_ahead();
    let season = post(
        &app,
        "/api/v1/seasons",
        &admin,
        json!({ "name": "Estate in centro", "starts_on": day.to_string(),
                "ends_on": (day + Duration::days(60)).to_string() }),
    )
    .await;
    let season_id = season["id"].as_str().unwrap().to_string();
    let booking = post(
        &app,
        "/api/v1/bookings",
        &operator,
        json!({ "space_id": room, "title": "Serata ARCI", "attendees": 50,
                "starts_at": rome(day, "20:00"), "ends_at": rome(day, "23:00") }),
    )
    .await;
    let booking_id = booking["id"].as_str().unwrap().to_string();
    post(
        &app,
        &format!("/api/v1/bookings/{booking_id}/approve"),
        &admin,
        json!({}),
    )
    .await;
    // The scheduler hears of the approval over the bus before /propose can offer it.
    let (_, cookie) = log_in(&app, "ops@arci.test").await;
    eventually("the booking offered on /propose", WAIT, || async {
        let (_, html) = page(&app, "/propose", &cookie).await;
        html.contains(&format!("value=\"{booking_id}\""))
            .then_some(())
    })
    .await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/propose")).await;
    sign_in(&browser, "ops@arci.test").await;
    browser.type_into("#f-title", "Concerto in sala").await;
    browser.click("input[name=categories][value=music]").await;
    browser.set_value("#f-booking_id", &booking_id).await;
    browser.set_value("#f-season_id", &season_id).await;
    submit(&browser, "/propose").await;
    browser.wait_for_text("#sent", "Proposta inviata").await;
    browser
        .wait_for_text("#proposals", "Concerto in sala")
        .await;
    // The event's row in booking takes place in the operator's booking.
    let row = eventually("the proposal's row in the booking", WAIT, || async {
        let (status, list) = app.get("/api/v1/bookings", Some(&admin)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["uses_booking_id"] == booking_id.as_str() && b["status"] == "requested")
            .cloned()
    })
    .await;
    let event_id = row["event_id"].as_str().unwrap().to_string();
    assert_eq!(row["starts_at"], booking["starts_at"], "{row}");

    // The administrator schedules it from the events page.
    browser.click("form[action='/logout'] button").await;
    browser.find("form[action='/'][role=search]").await;
    browser.goto(&app.url("/admin/events")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser.wait_for_text("#events", "Concerto in sala").await;
    browser
        .click(&format!(
            "form[action='/admin/events/{event_id}/schedule'] button[type=submit]"
        ))
        .await;
    browser
        .wait_for_text("#done", "Evento messo in programma")
        .await;
    eventually("the space confirmed", WAIT, || async {
        let (_, event) = app
            .get(&format!("/api/v1/events/{event_id}"), Some(&admin))
            .await;
        (event["space_status"] == "confirmed").then_some(())
    })
    .await;

    // The planner shows the booking, with its organisation and state, hosting the event.
    browser
        .goto(&app.url(&format!("/admin/seasons/{season_id}")))
        .await;
    let grid = browser.wait_for_text("#planner", "Serata ARCI").await;
    assert!(
        grid.contains("ARCI Cremona") && grid.contains("approvata"),
        "{grid}"
    );
    assert!(grid.contains("ospita l'evento: Concerto in sala"), "{grid}");
    assert!(
        grid.contains("nella prenotazione dell'operatore: Serata ARCI"),
        "{grid}"
    );
    let summary = browser.text("#summary").await;
    assert!(
        !summary.contains("prenotazion"),
        "no booking clashes: {summary}"
    );
    browser.quit().await;
    app.stop().await;
}
