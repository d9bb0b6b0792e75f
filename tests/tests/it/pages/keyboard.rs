//! The main journeys with the keyboard alone, in headless Chromium, as someone who cannot use a
//! mouse does them: every field and button is reached with Tab (and must show where the focus
//! is), filled by typing, chosen with the space bar or the arrow keys, and sent with Enter. A
//! young person subscribes and registers for an event; an operator signs in and asks for a room;
//! an administrator approves the request. The outcome is read back from the stored data.

use super::{PASSWORD, day_ahead, hall, rome};
use piazza_e2e::{
    app::TestApp,
    browser::{Browser, ENTER, SPACE},
};
use piazza_shared::auth::Role;
use serde_json::json;

#[tokio::test]
async fn subscribe_register_book_and_approve_with_the_keyboard_alone() {
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
    let (status, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Serata di poesia", "description": "Letture aperte a tutti.",
                "categories": ["literature"], "capacity": 30, "time_zone": "Europe/Rome",
                "starts_at": rome(day, "21:00"), "ends_at": rome(day, "22:30")
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_str().expect("event id").to_string();
    let (status, published) = app
        .post(
            &format!("/api/v1/events/{event_id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{published}");
    let browser = Browser::start().await;

    // Subscribing: the address, an interest ticked with the space bar, the birth year, Enter.
    browser.goto(&app.url("/subscribe")).await;
    browser.tab_to("#f-email").await;
    browser.press("giulia@example.org").await;
    browser
        .tab_to("input[name=interests][value=literature]")
        .await;
    browser.press(SPACE).await;
    browser.tab_to("#f-birth_year").await;
    browser.press("2006").await;
    browser
        .tab_to("form[action='/subscribe'] button[type=submit]")
        .await;
    browser.press(ENTER).await;
    browser
        .wait_for_text("#accepted", "giulia@example.org")
        .await;
    let confirmation = app
        .mailbox
        .wait_for("the confirmation email", |e| e.to == "giulia@example.org")
        .await;
    browser
        .goto(
            &confirmation
                .link("/subscriptions/confirm")
                .expect("a confirmation link"),
        )
        .await;
    browser.tab_to("#confirm button[type=submit]").await;
    browser.press(ENTER).await;
    browser
        .wait_for_text("main h1", "Iscrizione confermata")
        .await;

    // Registering for the event from its page.
    browser.goto(&app.url(&format!("/events/{event_id}"))).await;
    browser.tab_to("#f-name").await;
    browser.press("Luca").await;
    browser.tab_to("#f-email").await;
    browser.press("luca@example.org").await;
    browser
        .tab_to(&format!(
            "form[action='/events/{event_id}/register'] button"
        ))
        .await;
    browser.press(ENTER).await;
    browser.wait_for_text("#registered", "Sei iscritto").await;
    let (_, registrations) = app
        .get(
            &format!("/api/v1/events/{event_id}/registrations"),
            Some(&admin),
        )
        .await;
    assert!(
        registrations.to_string().contains("luca@example.org"),
        "{registrations}"
    );

    // An operator signs in and asks for the hall the next day, 10:00 to 12:00.
    browser.goto(&app.url("/bookings/new")).await;
    browser.tab_to("#f-email").await;
    browser.press("ops@arci.test").await;
    browser.tab_to("#f-password").await;
    browser.press(PASSWORD).await;
    browser.press(ENTER).await;
    browser
        .wait_for_text("main h1", "Richiedi uno spazio")
        .await;
    browser.tab_to("#f-space_id").await;
    // A select is worked by typing the start of the option's name.
    browser.press("Sala").await;
    browser.tab_to("#f-title").await;
    browser.press("Prove del coro").await;
    let next = day + chrono::Duration::days(1);
    browser.tab_to("#f-date").await;
    browser.type_date(next).await;
    browser.tab_to("#f-start").await;
    browser.type_time("10:00").await;
    browser.tab_to("#f-end").await;
    browser.type_time("12:00").await;
    browser.tab_to("#f-attendees").await;
    browser.press("25").await;
    browser
        .tab_to("form[action='/bookings/new'] button[type=submit]")
        .await;
    browser.press(ENTER).await;
    browser
        .wait_for_text("#requested", "Richiesta inviata")
        .await;
    let (_, bookings) = app.get("/api/v1/bookings", Some(&admin)).await;
    let request = bookings["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["title"] == "Prove del coro")
        .unwrap_or_else(|| panic!("the request is stored: {bookings}"))
        .clone();
    assert_eq!(request["space_id"], json!(space), "{request}");
    let instant = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default()).expect("an instant")
    };
    assert_eq!(
        instant(&request["starts_at"]),
        instant(&json!(rome(next, "10:00"))),
        "{request}"
    );
    assert_eq!(
        instant(&request["ends_at"]),
        instant(&json!(rome(next, "12:00"))),
        "{request}"
    );
    assert_eq!(request["status"], "requested", "{request}");

    // An administrator signs in and approves it from the queue.
    browser.clear_cookies().await;
    browser.goto(&app.url("/admin/bookings")).await;
    browser.tab_to("#f-email").await;
    browser.press("admin@comune.test").await;
    browser.tab_to("#f-password").await;
    browser.press(PASSWORD).await;
    browser.press(ENTER).await;
    browser.wait_for_text("#queue", "Prove del coro").await;
    browser
        .tab_to("#queue form[action$='/approve'] button")
        .await;
    browser.press(ENTER).await;
    browser.wait_for_text("main", "Richiesta approvata").await;
    let id = request["id"].as_str().expect("id");
    let (_, approved) = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&admin))
        .await;
    assert_eq!(approved["status"], "approved", "{approved}");

    browser.quit().await;
    app.stop().await;
}

/// The check every page goes through can fail: a field without a label and an image without a
/// text alternative added to a page that passes are both reported.
#[tokio::test]
async fn the_accessibility_check_reports_a_field_without_a_label() {
    let app = TestApp::builder().spawn().await;
    let browser = Browser::start().await;
    browser.goto(&app.url("/subscribe")).await;
    assert_eq!(browser.violations().await, Vec::<String>::new());
    browser
        .run(
            "const main = document.querySelector('main'); \
             main.insertAdjacentHTML('beforeend', '<input name=nickname><img src=/assets/none.png>');",
            json!([]),
        )
        .await;
    let found = browser.violations().await.join("\n");
    assert!(found.contains("- label ("), "{found}");
    assert!(found.contains("- image-alt ("), "{found}");
    browser.quit().await;
    app.stop().await;
}
