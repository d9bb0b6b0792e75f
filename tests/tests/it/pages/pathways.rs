//! A pathway for young people in difficulty driven in headless Chromium, by clicking: a social
//! worker refers a young person from the pathway's page, the operator that runs it ticks her
//! present on a session's attendance sheet and records her completion, and an evaluator's page
//! shows only a suppressed count ("<5") and no name. Sessions come from the tokens' sectors, so
//! each person's session cookie is set from a signed token.

use super::submit;
use crate::scheduler::{WAIT, expect, pathways::token, space};
use chrono::{Datelike, Duration};
use piazza_e2e::{app::TestApp, browser::Browser, eventually};
use piazza_shared::{auth::Role, contracts::sector::SOCIAL_POLICIES};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// Signs `token`'s holder in: the session cookie holds the API token, as `/login` sets it.
async fn signed_in_as(browser: &Browser, app: &TestApp, token: &str) {
    browser.clear_cookies().await;
    browser.goto(&app.url("/login")).await;
    browser
        .run(
            "document.cookie = 'piazza_session=' + arguments[0] + '; path=/'; return true;",
            json!([token]),
        )
        .await;
}

async fn body_text(browser: &Browser) -> String {
    browser
        .run("return document.body.innerText;", json!([]))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_worker_refers_the_operator_takes_attendance_and_the_evaluator_sees_a_suppressed_count() {
    let app = TestApp::builder().spawn().await;
    let org = Uuid::now_v7();
    let worker = token(
        &app,
        "assistente@comune.test",
        Role::Admin,
        None,
        &[SOCIAL_POLICIES],
    );
    let operator = token(
        &app,
        "educatori@iride.test",
        Role::Operator,
        Some((org, "Cooperativa Iride")),
        &[],
    );
    let evaluator = token(&app, "valutatore@ente.test", Role::Evaluator, None, &[]);
    let room = space(&app, &worker, "Sala Puerari").await;
    let pathway = expect(
        &app,
        "/api/v1/pathways",
        Some(&worker),
        json!({ "name": "Percorso Ripartire", "organisation_id": org, "organisation_name": "Cooperativa Iride" }),
        StatusCode::CREATED,
    )
    .await;
    let id = pathway["id"].as_str().unwrap().to_string();
    let first = piazza_e2e::clock::now() + Duration::days(2);
    let planned = expect(
        &app,
        &format!("/api/v1/pathways/{id}/sessions"),
        Some(&worker),
        json!({ "space_id": room, "starts_at": first.to_rfc3339(), "ends_at": (first + Duration::hours(2)).to_rfc3339() }),
        StatusCode::CREATED,
    )
    .await;
    let session = planned["sessions"][0]["id"].as_str().unwrap().to_string();
    eventually("the session's space confirmed", WAIT, || async {
        let (_, now) = app
            .get(&format!("/api/v1/pathways/{id}"), Some(&worker))
            .await;
        (now["sessions"][0]["space_status"] == "confirmed").then_some(())
    })
    .await;
    let browser = Browser::start().await;

    // The social worker finds the pathway in the list and refers a young person.
    signed_in_as(&browser, &app, &worker).await;
    browser.goto(&app.url("/pathways")).await;
    browser.click(&format!("a[href='/pathways/{id}']")).await;
    browser.type_into("#f-name", "Giulia Bianchi").await;
    browser.type_into("#f-birth_year", "2").await;
    submit(&browser, &format!("/pathways/{id}/referrals")).await;
    browser.find("#problems").await;
    let problem = browser.text("#problems").await;
    assert!(
        problem.contains("Anno di nascita: deve essere fra"),
        "{problem}"
    );
    let year = piazza_e2e::clock::now().year();
    browser
        .type_into("#f-birth_year", &(year - 16).to_string())
        .await;
    browser.type_into("#f-contact", "333 1234567").await;
    submit(&browser, &format!("/pathways/{id}/referrals")).await;
    browser.find("#referred").await;
    browser
        .wait_for_text("#participants + table", "Giulia Bianchi")
        .await;
    assert_eq!(browser.text("#enrolled").await, "<5");

    // The operator ticks her present on the session's sheet and records her completion.
    signed_in_as(&browser, &app, &operator).await;
    browser.goto(&app.url(&format!("/pathways/{id}"))).await;
    browser
        .click(&format!("a[href='/pathways/{id}/sessions/{session}']"))
        .await;
    browser.click("#sheet input[name=present]").await;
    submit(&browser, &format!("/pathways/{id}/sessions/{session}")).await;
    browser.find("#saved").await;
    let ticked = browser
        .run(
            "return document.querySelector('#sheet input[name=present]').checked;",
            json!([]),
        )
        .await;
    assert_eq!(ticked, json!(true));
    assert_eq!(browser.text("#present").await, "<5");
    browser.goto(&app.url(&format!("/pathways/{id}"))).await;
    browser.click("button[id^='complete-']").await;
    browser
        .wait_for_text("#participants + table", "Annulla completamento")
        .await;

    // The evaluator reads counts only: "<5", and no name anywhere.
    signed_in_as(&browser, &app, &evaluator).await;
    browser.goto(&app.url(&format!("/pathways/{id}"))).await;
    assert_eq!(browser.text("#enrolled").await, "<5");
    assert_eq!(browser.text("#completed").await, "<5");
    let text = body_text(&browser).await;
    assert!(!text.contains("Giulia"), "{text}");
    assert!(text.contains("<5"), "{text}");
    browser
        .goto(&app.url(&format!("/pathways/{id}/sessions/{session}?lang=en")))
        .await;
    assert_eq!(browser.text("#present").await, "<5");
    let text = body_text(&browser).await;
    assert!(
        !text.contains("Giulia") && text.contains("Attendance"),
        "{text}"
    );
    browser.quit().await;
    app.stop().await;
}
