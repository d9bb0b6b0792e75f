//! An operator books a weekly series from the pages, in headless Chromium, when some weeks are
//! not free: the conflicts name the room in the way (a room inside the hall) and why (booked,
//! closed), the free dates are booked alone and the skipped ones named; then one date is
//! cancelled from "My bookings", where the series is one entry.

use super::{PASSWORD, day_ahead, hall, people::log_in, rome};
use piazza_e2e::{
    app::{Database, TestApp},
    browser::Browser,
};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

async fn book_the_free_dates_and_cancel_one(database: Database) {
    let app = TestApp::builder().database(database).spawn().await;
    let admin = app.admin().await;
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    let space = hall(&app, &admin).await;
    let (status, room) = app
        .post(
            "/api/v1/spaces",
            Some(&admin),
            &json!({ "name": "Sala studio", "building": "Palazzo Affaitati", "address": "Via Ugolani Dati 4",
                     "kind": "room", "capacity": 20, "parent_id": space }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    let day = day_ahead();
    // Week 2: the Comune holds the room inside the hall; week 3: the hall is closed.
    let week = |n: i64| day + chrono::Duration::days(7 * n);
    let (_, held) = app
        .post(
            "/api/v1/bookings",
            Some(&admin),
            &json!({ "space_id": room["id"], "title": "Riunione", "attendees": 10,
                     "starts_at": rome(week(1), "18:30"), "ends_at": rome(week(1), "19:30") }),
        )
        .await;
    let held_id = held["id"].as_str().expect("booking id");
    app.post(
        &format!("/api/v1/bookings/{held_id}/approve"),
        Some(&admin),
        &json!({}),
    )
    .await;
    let (status, closed) = app
        .post(
            &format!("/api/v1/spaces/{space}/closures"),
            Some(&admin),
            &json!({ "starts_at": rome(week(2), "00:00"), "ends_at": rome(week(3), "00:00"),
                     "reason": "Disinfestazione" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{closed}");

    let browser = Browser::start().await;
    log_in(&browser, &app, "ops@arci.test", PASSWORD).await;
    browser
        .wait_for_text("main h1", "Le mie prenotazioni")
        .await;
    browser.goto(&app.url("/bookings/new")).await;
    browser.set_value("#f-space_id", &space).await;
    browser.type_into("#f-title", "Prove del coro").await;
    browser.set_value("#f-date", &day.to_string()).await;
    browser.set_value("#f-start", "18:00").await;
    // An end before the start is said next to the field, in Italian.
    browser.set_value("#f-end", "17:00").await;
    browser.type_into("#f-attendees", "25").await;
    browser
        .click("form[action='/bookings/new'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#e-end", "deve venire dopo l'inizio")
        .await;
    browser.set_value("#f-end", "20:00").await;
    browser.click("input[name=weekly]").await;
    browser.type_into("#f-weeks", "4").await;
    browser
        .click("form[action='/bookings/new'] button[type=submit]")
        .await;
    let conflicts = browser.wait_for_text("#conflicts", "Sala studio").await;
    assert!(
        conflicts.contains("Sala studio — si sovrappone a una prenotazione già approvata"),
        "{conflicts}"
    );
    assert!(
        conflicts.contains("lo spazio è chiuso: Disinfestazione"),
        "{conflicts}"
    );
    browser.screenshot("booking-series-conflicts").await;
    browser.click("#skip-form button").await;
    let skipped = browser
        .wait_for_text("#skipped", "non sono state prenotate")
        .await;
    let first_skipped = (week(1)).format("%-d").to_string();
    assert!(skipped.contains(&first_skipped), "{skipped}");
    assert_eq!(skipped.matches("18:00").count(), 2, "{skipped}");
    let mine = browser.text("#bookings").await;
    assert!(mine.contains("ogni settimana, 2 date"), "{mine}");
    assert!(mine.contains("2 in attesa di approvazione"), "{mine}");

    // One date is cancelled from the list; the other stays.
    browser.click("#bookings details summary").await;
    browser
        .click("#bookings details form[action$='/cancel'] button")
        .await;
    browser
        .wait_for_text("#done", "Prenotazione annullata")
        .await;
    let mine = browser.text("#bookings").await;
    assert!(mine.contains("1 in attesa di approvazione"), "{mine}");
    assert!(mine.contains("1 annullata"), "{mine}");
    browser.screenshot("my-bookings-series").await;
    let (_, listed) = app.get("/api/v1/bookings?limit=50", Some(&admin)).await;
    let statuses: Vec<&str> = listed["items"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter(|b| b["title"] == "Prove del coro")
                .filter_map(|b| b["status"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(statuses, ["cancelled", "requested"], "{listed}");
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_operator_books_the_free_dates_of_a_series_and_cancels_one() {
    book_the_free_dates_and_cancel_one(Database::Sqlite).await;
}

#[tokio::test]
async fn booking_the_free_dates_works_the_same_on_postgres() {
    book_the_free_dates_and_cancel_one(Database::Postgres).await;
}

#[tokio::test]
async fn my_bookings_are_shown_ten_entries_a_page_with_a_series_as_one() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let space = hall(&app, &admin).await;
    let day = day_ahead();
    // Eleven single bookings and one weekly series of five: twelve entries.
    for n in 0..11 {
        let date = day + chrono::Duration::days(n);
        let (status, body) = app
            .post(
                "/api/v1/bookings",
                Some(&operator),
                &json!({ "space_id": space, "title": format!("Incontro {n}"), "attendees": 5,
                         "starts_at": rome(date, "10:00"), "ends_at": rome(date, "11:00") }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .post(
            "/api/v1/bookings",
            Some(&operator),
            &json!({ "space_id": space, "title": "Corso serale", "attendees": 5,
                     "starts_at": rome(day, "20:00"), "ends_at": rome(day, "22:00"),
                     "recurrence": "FREQ=WEEKLY;COUNT=5" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, cookie) = super::log_in(&app, "ops@arci.test").await;
    let (_, first) = super::page(&app, "/bookings", &cookie).await;
    assert!(first.contains("pagina 1 / 2"), "{first}");
    // Newest request first: the series, as one entry with its five dates.
    assert_eq!(first.matches("<li class=\"card\">").count(), 10);
    assert!(first.contains("Corso serale"));
    assert!(first.contains("ogni settimana, 5 date"));
    let (_, second) = super::page(&app, "/bookings?page=2", &cookie).await;
    assert_eq!(second.matches("<li class=\"card\">").count(), 2, "{second}");
    assert!(second.contains("Incontro 0") && second.contains("Incontro 1"));
    assert!(!second.contains("Corso serale"));
    app.stop().await;
}
