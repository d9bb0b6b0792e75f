//! The web pages: a whole journey in a real browser (headless Chromium), the pages the links in
//! emails open (every button clicked in the browser), and the guards around cookie sessions
//! (login, roles, CSRF, same origin) checked over plain HTTP.

// Booking's administration and operator pages.
mod people;
mod series;
mod spaces;

mod admin;
mod dates;
mod email_links;
mod every_page;
mod guards;
mod ideas;
mod images;
mod journey;
mod keyboard;
mod monitoring;
mod notices;
mod own_booking;
mod pathways;
mod planner;
mod programme;
mod second_thoughts;
mod signoffs;

use piazza_e2e::{app::TestApp, browser::Browser};
use reqwest::{StatusCode, header};
use serde_json::json;

pub const PASSWORD: &str = "a-long-test-password";

pub use piazza_e2e::clock::{day_ahead, rome};

/// A hall open every day from 09:00 to 23:30; returns its id.
pub async fn hall(app: &TestApp, admin: &str) -> String {
    let hours: Vec<_> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "23:30" }))
        .collect();
    let (status, space) = app
        .post(
            "/api/v1/spaces",
            Some(admin),
            &json!({
                "name": "Sala delle Colonne", "building": "Palazzo Affaitati",
                "address": "Via Ugolani Dati 4, Cremona", "kind": "hall", "capacity": 120,
                "equipment": ["projector"], "accessibility": ["step_free"],
                "time_zone": "Europe/Rome", "opening_hours": hours
            }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{space}");
    space["id"].as_str().expect("space id").to_string()
}

/// Signs in at the login form the browser is on (a protected page sends it there).
pub async fn sign_in(browser: &Browser, email: &str) {
    browser.type_into("#f-email", email).await;
    browser.type_into("#f-password", PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
}

/// Clicks the submit button of the form posting to `action`.
pub async fn submit(browser: &Browser, action: &str) {
    browser
        .click(&format!("form[action='{action}'] button[type=submit]"))
        .await;
}

pub fn client() -> reqwest::Client {
    piazza_shared::tls::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// Logs in through the form; returns the `Set-Cookie` header and the cookie to send back.
pub async fn log_in(app: &TestApp, email: &str) -> (String, String) {
    let response = client()
        .post(app.url("/login"))
        .header(header::ORIGIN, &app.base)
        .form(&[("email", email), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .expect("the login form");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .to_string();
    let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
    (set_cookie, cookie)
}

pub async fn page(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let response = client()
        .get(app.url(path))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("a page");
    (response.status(), response.text().await.unwrap_or_default())
}

pub fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Posts `fields` as a signed-in person's form, from our own origin.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let response = client()
        .post(app.url(path))
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, &app.base)
        .form(fields)
        .send()
        .await
        .expect("a form");
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        response.status(),
        location,
        response.text().await.unwrap_or_default(),
    )
}
