//! A young person registers for one date of a weekly event from its page, in headless Chromium:
//! the page offers the dates to come with the places left at each, the person picks the second,
//! gives a birth year (optional; a year to come is refused by the field, and only the age band is
//! kept), and the confirmation email names that date and no other.

use super::{day_ahead, rome};
use chrono::Datelike;
use piazza_e2e::{app::TestApp, browser::Browser};
use piazza_shared::contracts::Language;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

#[tokio::test]
async fn a_young_person_picks_the_second_date_of_a_weekly_event_and_the_email_names_it() {
    pick_a_date(TestApp::builder().smtp().spawn().await).await;
}

#[tokio::test]
async fn a_young_person_picks_the_second_date_of_a_weekly_event_and_the_email_names_it_on_postgres_and_rabbitmq()
 {
    pick_a_date(
        TestApp::builder()
            .smtp()
            .postgres()
            .rabbitmq()
            .spawn()
            .await,
    )
    .await;
}

async fn pick_a_date(app: TestApp) {
    let admin = app.admin().await;
    let day = day_ahead();
    let (status, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Laboratorio di fumetto", "description": "Ogni settimana una tavola.",
                "categories": ["workshop"], "capacity": 8, "time_zone": "Europe/Rome",
                "starts_at": rome(day, "17:00"), "ends_at": rome(day, "19:00"),
                "recurrence": "FREQ=WEEKLY;COUNT=3"
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{event}");
    let id = event["id"].as_str().expect("event id").to_string();
    let (status, published) = app
        .post(
            &format!("/api/v1/events/{id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{published}");
    let (_, view) = app.get(&format!("/api/v1/events/{id}"), None).await;
    let dates = view["places"]["dates"].as_array().expect("dates").clone();
    let second = dates[1]["occurrence_id"]
        .as_str()
        .expect("an id")
        .to_string();

    let browser = Browser::start().await;
    browser.goto(&app.url(&format!("/events/{id}"))).await;
    // Each date to come is offered with its places.
    let offered = browser.text("#f-occurrence_id").await;
    assert_eq!(offered.matches("posti liberi: 8").count(), 3, "{offered}");
    browser.set_value("#f-occurrence_id", &second).await;
    browser.type_into("#f-name", "Marta").await;
    browser.type_into("#f-email", "marta@example.org").await;
    // The optional birth year: a year to come is said by the field, and the form keeps the rest.
    let year = piazza_e2e::clock::now().year();
    browser
        .type_into("#f-birth_year", &(year + 1).to_string())
        .await;
    browser
        .click(&format!("form[action='/events/{id}/register'] button"))
        .await;
    let said = browser
        .wait_for_text("#e-birth_year", "Anno di nascita")
        .await;
    assert!(said.contains("deve essere un anno fra"), "{said}");
    browser
        .type_into("#f-birth_year", &(year - 16).to_string())
        .await;
    browser
        .click(&format!("form[action='/events/{id}/register'] button"))
        .await;
    browser.wait_for_text("#registered", "Sei iscritto").await;
    // Kept as the band only.
    let db = app.db("scheduler").await;
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT age_band FROM registrations WHERE email = 'marta@example.org'",
        ))
        .await
        .unwrap()
        .expect("Marta's registration");
    let band: Option<String> = row.try_get("", "age_band").unwrap();
    assert_eq!(band.as_deref(), Some("14_17"));
    db.close().await;
    browser.screenshot("event-by-date").await;
    // The second date has one place fewer; the others are as they were.
    browser.goto(&app.url(&format!("/events/{id}"))).await;
    let offered = browser.text("#f-occurrence_id").await;
    assert_eq!(offered.matches("posti liberi: 8").count(), 2, "{offered}");
    assert_eq!(offered.matches("posti liberi: 7").count(), 1, "{offered}");

    let confirmation = app
        .mailbox
        .wait_for("the confirmation", |e| {
            e.to == "marta@example.org" && e.subject.contains("Iscrizione confermata")
        })
        .await;
    let when = |date: &serde_json::Value| {
        piazza_notifier::email::dates::when(
            date["starts_at"].as_str().unwrap().parse().unwrap(),
            date["ends_at"].as_str().unwrap().parse().unwrap(),
            chrono_tz::Europe::Rome,
            Language::It,
        )
    };
    assert!(
        confirmation.text.contains(&when(&dates[1])),
        "{}\n{}",
        when(&dates[1]),
        confirmation.text
    );
    for other in [&dates[0], &dates[2]] {
        assert!(
            !confirmation.text.contains(&when(other)),
            "{}",
            confirmation.text
        );
    }
    browser.quit().await;
    app.stop().await;
}
