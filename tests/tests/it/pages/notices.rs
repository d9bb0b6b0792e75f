//! Staff and operators told by email, in headless Chromium: an operator's booking request
//! emails the administrator, whose link opens the approval queue (after signing in) where the
//! request is approved; the administrator ticks the fields an organisation works in and opens a
//! call in one of them from the pages, and the organisation's operator is emailed its link.

use super::{day_ahead, hall, rome, sign_in};
use piazza_e2e::{app::TestApp, browser::Browser};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

/// `link` from an email, pointed at the running app.
fn local(app: &TestApp, link: &str) -> String {
    let mut url = url::Url::parse(link).expect("a link");
    let base = url::Url::parse(&app.base).expect("the app's address");
    url.set_host(base.host_str()).expect("a host");
    url.set_port(base.port()).expect("a port");
    url.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_email_opens_the_approval_queue_and_a_call_in_its_field_reaches_the_operator() {
    let app = TestApp::builder().smtp().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@banda.test", Role::Operator, Some("Banda Ponchielli"))
        .await;
    let space = hall(&app, &admin).await;
    let day = day_ahead();
    let (status, booking) = app
        .post(
            "/api/v1/bookings",
            Some(&operator),
            &json!({
                "space_id": space, "title": "Prove della banda", "attendees": 30,
                "starts_at": rome(day, "18:00"), "ends_at": rome(day, "20:00")
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    let id = booking["id"].as_str().unwrap();

    let email = app
        .mailbox
        .wait_for("the staff email", |e| {
            e.to == "admin@comune.test" && e.subject.contains("Prove della banda")
        })
        .await;
    let link = local(
        &app,
        &email.link("/admin/bookings").expect("a link to the queue"),
    );
    let browser = Browser::start().await;
    browser.goto(&link).await;
    // Not signed in yet: the login form, then the queue the link named.
    sign_in(&browser, "admin@comune.test").await;
    browser.wait_for_url("/admin/bookings").await;
    let card = browser.wait_for_text("#queue", "Prove della banda").await;
    assert!(card.contains("Banda Ponchielli"), "{card}");
    browser
        .click(&format!(
            "form[action='/admin/bookings/{id}/approve'] button"
        ))
        .await;
    browser.wait_for_text("main", "Richiesta approvata").await;

    // The band works in music: ticked on the organisations page.
    browser.goto(&app.url("/admin/organisations")).await;
    let (_, list) = app.get("/api/v1/organisations", Some(&admin)).await;
    let org = list[0]["id"].as_str().unwrap().to_string();
    browser
        .click(&format!("#fields-{org} input[value='music']"))
        .await;
    browser
        .click(&format!("form[action='/admin/organisations/{org}'] button"))
        .await;
    browser.wait_for_text("#done", "Campi salvati").await;
    let ticked = browser
        .run(
            "return document.querySelector(arguments[0]).checked;",
            json!([format!("#fields-{org} input[value='music']")]),
        )
        .await;
    assert_eq!(ticked, json!(true));

    // A call in music, opened from the pages, reaches the band's operator.
    let (status, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Stagione estiva", "starts_on": day.to_string(),
                     "ends_on": (day + chrono::Duration::days(90)).to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{season}");
    browser.goto(&app.url("/admin/calls")).await;
    browser
        .set_value("#f-season_id", season["id"].as_str().unwrap())
        .await;
    browser.type_into("#f-title", "Musica in cortile").await;
    browser
        .set_value(
            "#f-closes_at",
            &(day + chrono::Duration::days(30)).to_string(),
        )
        .await;
    browser.click("#f-fields input[value='music']").await;
    browser
        .click("form[action='/admin/calls'] button[type=submit]")
        .await;
    browser.wait_for_url("done=opened").await;
    let told = app
        .mailbox
        .wait_for("the operator's email", |e| {
            e.to == "ops@banda.test" && e.subject.contains("Musica in cortile")
        })
        .await;
    let call = local(&app, &told.link("/calls/").expect("a link to the call"));
    browser.goto(&call).await;
    browser.wait_for_text("main h1", "Musica in cortile").await;
    browser.quit().await;
    app.stop().await;
}
