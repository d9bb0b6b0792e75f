//! The pages the links in emails open, in headless Chromium, from the links of real emails (the
//! SMTP server's): every button is clicked as a person would. Every answer carries
//! `Referrer-Policy: no-referrer`, so Chromium posts these forms with `Origin: null`; the buttons
//! must work all the same, and a refusal is a page of the site in the person's language.
//!
//! - confirm: the link shows a button and confirms nothing until it is clicked;
//! - preferences: saved from the form, the page then speaking the language chosen;
//! - unsubscribe: from the preferences page's button, and from the unsubscribe link's page;
//! - free my place: the registration email's cancel link, and its button;
//! - bad, mistyped and spent links: the site's own error pages, never JSON.

use super::{day_ahead, rome};
use piazza_e2e::{app::TestApp, browser::Browser};
use piazza_notifier::db::subscribers;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// `link` from an email, pointed at the running app.
fn local(app: &TestApp, link: &str) -> String {
    let mut url = url::Url::parse(link).expect("a link");
    let base = url::Url::parse(&app.base).expect("the app's address");
    url.set_host(base.host_str()).expect("a host");
    url.set_port(base.port()).expect("a port");
    url.to_string()
}

async fn subscribe(app: &TestApp, address: &str, language: &str) -> String {
    let (status, body) = app
        .post(
            "/api/v1/subscribers",
            None,
            &json!({ "email": address, "interests": ["music"], "birth_year": 2005,
                     "language": language, "frequency": "instant" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let confirmation = app
        .mailbox
        .wait_for("the confirmation email", |e| e.to == address)
        .await;
    local(
        app,
        &confirmation
            .link("/subscriptions/confirm")
            .expect("a confirmation link"),
    )
}

async fn subscriber(app: &TestApp, address: &str) -> subscribers::Model {
    let db = app.db("notifier").await;
    let row = subscribers::Entity::find()
        .filter(subscribers::Column::Email.eq(address))
        .one(db.conn())
        .await
        .expect("reading subscribers")
        .expect("the subscriber");
    db.close().await;
    row
}

/// Whether the page shown is an HTML page of the site (its style sheet), not a JSON answer.
async fn is_site_page(browser: &Browser) -> bool {
    browser
        .run(
            "return document.contentType === 'text/html' && \
             !!document.querySelector('link[rel=stylesheet][href^=\"/assets/piazza.css\"]');",
            json!([]),
        )
        .await
        == json!(true)
}

/// A published music event with places, whose emails carry the manage and unsubscribe links.
async fn published_event(app: &TestApp, admin: &str) -> String {
    let day = day_ahead();
    let (status, event) = app
        .post(
            "/api/v1/events",
            Some(admin),
            &json!({
                "title": "Serata jazz in cortile", "description": "Il trio del liceo musicale.",
                "categories": ["music"], "age_min": 14, "age_max": 29, "capacity": 40,
                "starts_at": rome(day, "21:00"), "ends_at": rome(day, "23:00"),
                "time_zone": "Europe/Rome"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let id = event["id"].as_str().expect("an event id").to_string();
    let (status, published) = app
        .post(
            &format!("/api/v1/events/{id}/publish"),
            Some(admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    id
}

#[tokio::test]
async fn every_button_of_the_email_link_pages_works_in_a_real_browser() {
    click_every_email_button(TestApp::builder().smtp().spawn().await).await;
}

#[tokio::test]
async fn every_button_of_the_email_link_pages_works_in_a_real_browser_on_postgres_and_rabbitmq() {
    click_every_email_button(
        TestApp::builder()
            .smtp()
            .postgres()
            .rabbitmq()
            .spawn()
            .await,
    )
    .await;
}

async fn click_every_email_button(app: TestApp) {
    let admin = app.admin().await;
    let browser = Browser::start().await;

    // Confirm: the link asks; only the click confirms.
    let confirm = subscribe(&app, "giulia@example.org", "it").await;
    browser.goto(&confirm).await;
    browser
        .wait_for_text("main h1", "Conferma l'iscrizione")
        .await;
    assert!(is_site_page(&browser).await);
    browser.screenshot("email-link-confirm").await;
    assert_eq!(
        subscriber(&app, "giulia@example.org").await.status,
        "pending",
        "opening the link confirms nothing"
    );
    browser.click("#confirm button[type=submit]").await;
    browser.wait_for_text("#done", "Grazie").await;
    assert_eq!(
        subscriber(&app, "giulia@example.org").await.status,
        "active"
    );
    // Marco confirms too, in English.
    let marco_confirm = subscribe(&app, "marco@example.org", "en").await;
    browser.goto(&marco_confirm).await;
    browser
        .wait_for_text("main h1", "Confirm your subscription")
        .await;
    browser.click("#confirm button[type=submit]").await;
    browser
        .wait_for_text("main h1", "Subscription confirmed")
        .await;

    // An event reaches them, with the links to the preferences and to leave.
    let event_id = published_event(&app, &admin).await;
    let news = app
        .mailbox
        .wait_for("Giulia's event email", |e| {
            e.to == "giulia@example.org" && e.subject.contains("Serata jazz")
        })
        .await;
    let manage = local(
        &app,
        &news.link("/subscriptions/manage").expect("a manage link"),
    );

    // Save preferences: theatre too, weekly, in English.
    browser.goto(&manage).await;
    browser.wait_for_text("main h1", "Le tue preferenze").await;
    browser
        .click("#preferences input[name=interests][value=theatre]")
        .await;
    browser
        .click("#preferences input[name=frequency][value=weekly]")
        .await;
    browser
        .click("#preferences input[name=language][value=en]")
        .await;
    browser.click("#preferences button[type=submit]").await;
    browser.wait_for_text("#saved", "Preferences saved").await;
    browser.screenshot("email-link-preferences-saved").await;
    let giulia = subscriber(&app, "giulia@example.org").await;
    assert_eq!(giulia.frequency, "weekly");
    assert_eq!(giulia.language, "en");
    let interests = giulia.interests.to_string();
    assert!(
        interests.contains("theatre") && interests.contains("music"),
        "{interests}"
    );

    // Unsubscribe from the preferences page's button.
    browser.click("#unsubscribe button[type=submit]").await;
    browser.wait_for_text("main h1", "Unsubscribed").await;
    assert_eq!(
        subscriber(&app, "giulia@example.org").await.status,
        "unsubscribed"
    );
    // Her confirmation link now says the subscription ended: a page, in her language.
    browser.goto(&confirm).await;
    browser
        .wait_for_text("main", "This subscription was cancelled")
        .await;
    assert!(is_site_page(&browser).await);

    // Unsubscribe from the unsubscribe link's own page.
    let marco_news = app
        .mailbox
        .wait_for("Marco's event email", |e| {
            e.to == "marco@example.org" && e.subject.contains("Serata jazz")
        })
        .await;
    let leave = local(
        &app,
        &marco_news
            .link("/subscriptions/unsubscribe")
            .expect("an unsubscribe link"),
    );
    browser.goto(&leave).await;
    browser.wait_for_text("main h1", "Unsubscribe").await;
    assert_eq!(subscriber(&app, "marco@example.org").await.status, "active");
    browser.click("#unsubscribe button[type=submit]").await;
    browser.wait_for_text("#done", "marco@example.org").await;
    assert_eq!(
        subscriber(&app, "marco@example.org").await.status,
        "unsubscribed"
    );

    // Free my place: the registration email's link asks, the button cancels.
    let (status, registration) = app
        .post(
            &format!("/api/v1/events/{event_id}/registrations"),
            None,
            &json!({ "email": "sara@example.org", "name": "Sara Bianchi", "language": "it" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{registration}");
    let placed = app
        .mailbox
        .wait_for("the registration email", |e| {
            e.to == "sara@example.org" && e.link("/registrations/").is_some()
        })
        .await;
    let cancel = local(
        &app,
        &placed.link("/registrations/").expect("a cancel link"),
    );
    browser.goto(&cancel).await;
    browser
        .wait_for_text("main h1", "Annullare l'iscrizione?")
        .await;
    // It names the event and its date, so Sara knows which place she frees.
    let registered_for = browser.text("#registered-for").await;
    let on = piazza_shared::web::words::date(day_ahead(), piazza_shared::web::Lang::It);
    assert!(
        registered_for.contains("Serata jazz in cortile")
            && registered_for.contains(&on)
            && registered_for.contains("21:00–23:00"),
        "{registered_for}"
    );
    browser.screenshot("email-link-free-my-place").await;
    browser.click("#cancel button[type=submit]").await;
    browser.wait_for_text("#done", "annullata").await;
    let registration_id = registration["id"].as_str().expect("a registration id");
    let (status, listed) = app
        .get(
            &format!("/api/v1/events/{event_id}/registrations"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let sara = listed
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["id"] == registration_id)
        .cloned()
        .unwrap_or_default();
    assert_eq!(sara["status"], "cancelled", "{listed}");

    // Bad links: the site's own pages, in the visitor's language, never JSON.
    for path in [
        "/subscriptions/confirm?token=v1.forged.link".to_string(),
        "/subscriptions/manage?token=v1.forged.link".to_string(),
        "/subscriptions/unsubscribe?token=v1.forged.link".to_string(),
        "/subscriptions/confirm".to_string(),
        format!("/registrations/{registration_id}/cancel?token=v1.forged.link"),
    ] {
        browser.goto(&app.url(&path)).await;
        browser.wait_for_text("main", "non è valido").await;
        assert!(is_site_page(&browser).await, "{path}");
    }
    browser.screenshot("email-link-refused").await;
    browser.quit().await;
    app.stop().await;
}
