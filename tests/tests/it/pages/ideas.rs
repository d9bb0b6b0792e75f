//! Ideas from anyone, clicked in headless Chromium: a person without an account sends an idea
//! from the call's public form, opens the verification link from the email the SMTP server
//! received, staff accept it on the moderation page, the author's outcome email arrives, and the
//! proposal it became is there through the API.

use super::{sign_in, submit};
use piazza_e2e::{app::TestApp, browser::Browser};
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

#[tokio::test]
async fn an_idea_is_sent_verified_and_taken_up_in_a_real_browser() {
    let app = TestApp::builder().smtp().spawn().await;
    let admin = app.admin().await;
    let today = piazza_e2e::clock::now().date_naive();
    let (status, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Stagione delle idee", "starts_on": today.to_string(),
                     "ends_on": (today + chrono::Duration::days(365)).to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{season}");
    let (status, call) = app
        .post(
            "/api/v1/calls",
            Some(&admin),
            &json!({ "season_id": season["id"], "title": "Idee per i cortili",
                     "description": "Cosa faresti nei cortili del centro?",
                     "opens_at": today.to_string(),
                     "closes_at": (today + chrono::Duration::days(30)).to_string(),
                     "accepts_ideas": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let call_id = call["id"].as_str().expect("a call id").to_string();
    let browser = Browser::start().await;

    // A young person sends an idea from the call's public page.
    browser
        .goto(&app.url(&format!("/calls/{call_id}/idea")))
        .await;
    browser.wait_for_text("main h1", "Idee per i cortili").await;
    browser.type_into("#f-title", "Murale nel cortile").await;
    browser
        .type_into(
            "#f-description",
            "Un murale dipinto insieme dai ragazzi del quartiere.",
        )
        .await;
    browser.type_into("#f-name", "Giulia").await;
    browser.type_into("#f-email", "giulia@example.org").await;
    browser
        .type_into("#f-group", "Ragazzi di via Platina")
        .await;
    browser.set_value("#f-age_band", "14_17").await;
    browser.screenshot("idea-form").await;
    browser
        .click(&format!(
            "form[action='/calls/{call_id}/idea'] button[type=submit]"
        ))
        .await;
    browser.wait_for_text("#sent", "Grazie").await;

    // Staff see nothing until she opens the link in the email.
    let (status, queue) = app.get("/api/v1/ideas", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue, json!([]));
    let verification = app
        .mailbox
        .wait_for("the verification email", |e| {
            e.to == "giulia@example.org" && e.subject.contains("Conferma la tua idea")
        })
        .await;
    let link = local(
        &app,
        &verification.link("/ideas/").expect("a verification link"),
    );
    browser.goto(&link).await;
    browser
        .wait_for_text("main h1", "Confermi la tua idea")
        .await;
    browser.click("#verify button[type=submit]").await;
    browser.wait_for_text("#done", "Grazie").await;

    // Staff take it up on the moderation page.
    browser.goto(&app.url("/admin/ideas")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser.wait_for_text("header", "admin@comune.test").await;
    browser.goto(&app.url("/admin/ideas")).await;
    browser.wait_for_text("#ideas", "Murale nel cortile").await;
    let card = browser.text("#ideas").await;
    assert!(card.contains("giulia@example.org"), "{card}");
    browser.screenshot("idea-moderation").await;
    browser
        .click("#ideas form.accept button[type=submit]")
        .await;
    browser.wait_for_text("#done", "Idea accettata").await;

    // She hears what became of it; the proposal is the call's.
    let outcome = app
        .mailbox
        .wait_for("the outcome email", |e| {
            e.to == "giulia@example.org" && e.subject.contains("accolta")
        })
        .await;
    assert!(
        outcome.text.contains("Murale nel cortile"),
        "{}",
        outcome.text
    );
    let (status, proposals) = app
        .get(&format!("/api/v1/calls/{call_id}/proposals"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{proposals}");
    let list = proposals.as_array().expect("a list");
    assert_eq!(list.len(), 1, "{proposals}");
    assert_eq!(list[0]["title"], "Murale nel cortile");
    assert!(list[0]["idea_id"].is_string(), "{proposals}");
    // The moderation page speaks English too (and passes the page checks in it).
    browser
        .goto(&app.url("/admin/ideas?status=accepted&lang=en"))
        .await;
    browser.wait_for_text("main h1", "Ideas from anyone").await;
    browser.wait_for_text("#ideas", "The proposal").await;

    // A second call opened from the page, ticking "takes ideas from anyone" (the page is in
    // English now: the switch above is remembered).
    browser.goto(&app.url("/admin/calls")).await;
    browser
        .set_value("#f-season_id", season["id"].as_str().unwrap())
        .await;
    browser.type_into("#f-title", "Idee per le piazze").await;
    browser
        .set_value(
            "#f-closes_at",
            &(today + chrono::Duration::days(30)).to_string(),
        )
        .await;
    browser.click("#f-accepts_ideas").await;
    submit(&browser, "/admin/calls").await;
    browser.wait_for_url("done=opened").await;
    let (status, calls) = app.get("/api/v1/calls", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{calls}");
    let second = calls["items"]
        .as_array()
        .or(calls.as_array())
        .into_iter()
        .flatten()
        .find(|c| c["title"] == "Idee per le piazze")
        .cloned()
        .unwrap_or_else(|| panic!("the call opened from the page in {calls}"));
    assert_eq!(second["accepts_ideas"], true, "{second}");

    // An idea sent to it, verified, and declined with a reason from the moderation page.
    let (status, sent) = app
        .post(
            "/api/v1/ideas",
            None,
            &json!({ "call_id": second["id"], "title": "Pista di pattinaggio",
                     "description": "Una pista in piazza d'inverno.", "name": "Marco",
                     "email": "marco@example.org", "language": "it" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let verification = app
        .mailbox
        .wait_for("the second verification email", |e| {
            e.to == "marco@example.org" && e.link("/ideas/").is_some()
        })
        .await;
    browser
        .goto(&local(
            &app,
            &verification.link("/ideas/").expect("a verification link"),
        ))
        .await;
    browser.click("#verify button[type=submit]").await;
    browser.find("#done").await;
    browser.goto(&app.url("/admin/ideas")).await;
    browser
        .wait_for_text("#ideas", "Pista di pattinaggio")
        .await;
    browser
        .type_into("#d-reason-1", "La piazza è occupata dal mercato")
        .await;
    browser
        .click("#ideas form.decline button[type=submit]")
        .await;
    browser.wait_for_url("done=declined").await;
    let (status, declined) = app.get("/api/v1/ideas?status=declined", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert!(
        declined
            .to_string()
            .contains("La piazza è occupata dal mercato"),
        "{declined}"
    );
    app.mailbox
        .wait_for("the decline email", |e| {
            e.to == "marco@example.org" && e.text.contains("La piazza è occupata dal mercato")
        })
        .await;
    browser.quit().await;
    app.stop().await;
}
