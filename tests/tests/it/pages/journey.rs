//! One journey through the pages in headless Chromium: a young person subscribes and confirms
//! through the emailed link; an operator logs in, meets a conflict, books another time and sees
//! the request waiting; an administrator approves it and publishes an event; the subscriber's
//! email arrives; the public calendar and the event page show the event, and a young person
//! registers. Screenshots of the main pages are saved as artefacts.

use super::{PASSWORD, day_ahead, hall, rome, sign_in as log_in};
use piazza_e2e::{app::TestApp, browser::Browser, eventually};
use piazza_shared::auth::Role;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn people_subscribe_book_approve_and_publish_through_the_pages() {
    let app = TestApp::builder().smtp().spawn().await;
    let admin = app.admin().await;
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    let space = hall(&app, &admin).await;
    let day = day_ahead();
    // The Comune already holds the hall from 18:00 to 20:00 that day.
    let (status, held) = app
        .post(
            "/api/v1/bookings",
            Some(&admin),
            &json!({ "space_id": space, "title": "Consiglio di quartiere", "attendees": 40,
                     "starts_at": rome(day, "18:00"), "ends_at": rome(day, "20:00") }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{held}");
    let held_id = held["id"].as_str().expect("id");
    app.post(
        &format!("/api/v1/bookings/{held_id}/approve"),
        Some(&admin),
        &json!({}),
    )
    .await;
    let browser = Browser::start().await;
    let mut shots = Vec::new();

    // A young person subscribes to music…
    browser.goto(&app.url("/subscribe")).await;
    browser.type_into("#f-email", "giulia@example.org").await;
    browser.click("input[name=interests][value=music]").await;
    browser.type_into("#f-birth_year", "2006").await;
    shots.push(browser.screenshot("subscribe").await);
    browser
        .click("form[action='/subscribe'] button[type=submit]")
        .await;
    let accepted = browser
        .wait_for_text("#accepted", "giulia@example.org")
        .await;
    assert!(accepted.contains("Controlla la tua casella"), "{accepted}");
    // …and confirms through the link in the email the SMTP server received.
    let confirmation = app
        .mailbox
        .wait_for("the confirmation email", |e| e.to == "giulia@example.org")
        .await;
    let link = confirmation
        .link("/subscriptions/confirm")
        .expect("a confirmation link");
    browser.goto(&link).await;
    browser.click("#confirm button[type=submit]").await;
    browser
        .wait_for_text("main h1", "Iscrizione confermata")
        .await;

    // An operator asks for a page of theirs and is sent to log in first.
    browser.goto(&app.url("/bookings/new")).await;
    browser.find("#f-password").await;
    assert!(
        browser
            .url()
            .await
            .contains("/login?next=%2Fbookings%2Fnew")
    );
    log_in(&browser, "ops@arci.test").await;
    browser
        .wait_for_text("main h1", "Richiedi uno spazio")
        .await;
    // A time the Comune holds: the conflict is explained, in words.
    browser.set_value("#f-space_id", &space).await;
    browser
        .type_into("#f-title", "Prove del coro giovanile")
        .await;
    browser.set_value("#f-date", &day.to_string()).await;
    browser.set_value("#f-start", "19:00").await;
    browser.set_value("#f-end", "21:00").await;
    browser.type_into("#f-attendees", "30").await;
    browser
        .click("form[action='/bookings/new'] button[type=submit]")
        .await;
    let conflict = browser
        .wait_for_text(
            "#conflicts",
            "si sovrappone a una prenotazione già approvata",
        )
        .await;
    assert!(conflict.contains("19:00–21:00"), "{conflict}");
    shots.push(browser.screenshot("booking-conflict").await);
    // The form kept what was typed; a later time is free.
    assert_eq!(
        browser
            .run("return document.querySelector('#f-title').value", json!([]))
            .await,
        "Prove del coro giovanile"
    );
    browser.set_value("#f-start", "20:30").await;
    browser.set_value("#f-end", "22:30").await;
    browser
        .click("form[action='/bookings/new'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#requested", "Richiesta inviata")
        .await;
    let mine = browser.text("#bookings").await;
    assert!(mine.contains("Prove del coro giovanile"), "{mine}");
    assert!(mine.contains("in attesa di approvazione"), "{mine}");
    assert!(
        !mine.contains("Consiglio di quartiere"),
        "another organisation's booking: {mine}"
    );
    shots.push(browser.screenshot("my-bookings").await);

    // An administrator approves it from the queue.
    browser.clear_cookies().await;
    browser.goto(&app.url("/admin/bookings")).await;
    log_in(&browser, "admin@comune.test").await;
    let queue = browser
        .wait_for_text("#queue", "Prove del coro giovanile")
        .await;
    assert!(queue.contains("ARCI Cremona"), "{queue}");
    shots.push(browser.screenshot("approval-queue").await);
    browser
        .click("#queue form[action$='/approve'] button")
        .await;
    browser.wait_for_text("main", "Richiesta approvata").await;
    assert!(
        !browser
            .text("main")
            .await
            .contains("Prove del coro giovanile")
    );

    // The administrator's event gets the hall over the bus, then is published from the page.
    let (status, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Concerto dei licei", "description": "Le band dei licei cremonesi.",
                "categories": ["music"], "age_min": 14, "age_max": 29, "capacity": 80,
                "accessibility_notes": "Ingresso senza gradini, anello magnetico.",
                "starts_at": rome(day + chrono::Duration::days(1), "21:00"),
                "ends_at": rome(day + chrono::Duration::days(1), "23:00"),
                "time_zone": "Europe/Rome", "space_id": space
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().expect("event id").to_string();
    browser.goto(&app.url("/admin/events")).await;
    eventually("the event's space to be confirmed", WAIT, || async {
        browser.goto(&app.url("/admin/events")).await;
        let row = browser.text("#events").await;
        row.contains("spazio confermato").then_some(())
    })
    .await;
    shots.push(browser.screenshot("admin-events").await);
    browser
        .click(&format!(
            "form[action='/admin/events/{event_id}/publish'] button"
        ))
        .await;
    browser.wait_for_text("#done", "Evento pubblicato").await;
    assert!(browser.text("#events").await.contains("pubblicato"));

    // The subscriber hears of it.
    let news = app
        .mailbox
        .wait_for("the event email", |e| {
            e.to == "giulia@example.org" && e.subject.contains("Concerto dei licei")
        })
        .await;
    assert!(news.subject.starts_with("Nuovo evento"), "{}", news.subject);
    assert!(news.text.contains("Sala delle Colonne"), "{}", news.text);
    assert!(news.header("List-Unsubscribe").is_some());
    // Its preferences link opens a page in the site's own style.
    let manage = news
        .link("/subscriptions/manage")
        .expect("a preferences link");
    browser.goto(&manage).await;
    browser.wait_for_text("main", "giulia@example.org").await;
    let styled = browser
        .run(
            "return !!document.querySelector('link[rel=stylesheet][href^=\"/assets/piazza.css\"]')",
            json!([]),
        )
        .await;
    assert_eq!(styled, json!(true));
    shots.push(browser.screenshot("preferences").await);

    // The public calendar shows it, in the month and in the list, in Italian and English.
    browser.clear_cookies().await;
    let month = format!("/?view=month&date={}", day + chrono::Duration::days(1));
    browser.goto(&app.url(&month)).await;
    browser
        .wait_for_text("table.month", "Concerto dei licei")
        .await;
    shots.push(browser.screenshot("calendar-month").await);
    browser
        .goto(&app.url(&format!("/?category=theatre&date={day}")))
        .await;
    assert!(
        !browser.text("main").await.contains("Concerto dei licei"),
        "filtered out by category"
    );
    browser
        .goto(&app.url(&format!("/?age=40&date={day}")))
        .await;
    assert!(
        !browser.text("main").await.contains("Concerto dei licei"),
        "filtered out by age"
    );
    browser
        .goto(&app.url(&format!("/?date={day}&lang=en")))
        .await;
    browser
        .wait_for_text("main h1", "What's on in the centre")
        .await;
    // On a phone the list fits the screen: nothing to scroll sideways.
    browser.resize(390, 844).await;
    browser
        .goto(&app.url(&format!("/?date={day}&lang=it")))
        .await;
    browser.wait_for_text("main", "Concerto dei licei").await;
    let overflow = browser
        .run(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            json!([]),
        )
        .await;
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "the page is wider than the phone"
    );
    shots.push(browser.screenshot("calendar-phone").await);
    browser.resize(1280, 1000).await;
    browser
        .click(&format!("a[href='/events/{event_id}']"))
        .await;

    // Its page says where, how accessible, and takes a registration.
    let place = browser.wait_for_text("#where", "Sala delle Colonne").await;
    assert!(place.contains("Via Ugolani Dati 4"), "{place}");
    assert!(
        browser
            .text("#accessibility")
            .await
            .contains("anello magnetico")
    );
    let google = browser
        .run(
            "return document.querySelector('#add-google').href",
            json!([]),
        )
        .await;
    assert!(
        google
            .as_str()
            .unwrap_or("")
            .contains("text=Concerto+dei+licei"),
        "{google}"
    );
    browser.type_into("#f-name", "Luca").await;
    browser.type_into("#f-email", "luca@example.org").await;
    browser
        .click(&format!(
            "form[action='/events/{event_id}/register'] button"
        ))
        .await;
    browser.wait_for_text("#registered", "Sei iscritto").await;
    shots.push(browser.screenshot("event").await);

    // Back as the operator: the request is approved.
    browser.goto(&app.url("/bookings")).await;
    log_in(&browser, "ops@arci.test").await;
    let mine = browser.wait_for_text("#bookings", "approvata").await;
    assert!(mine.contains("Prove del coro giovanile"), "{mine}");

    println!("screenshots of the pages:");
    for shot in &shots {
        println!("  {}", shot.display());
    }
    browser.quit().await;
    app.stop().await;
}
