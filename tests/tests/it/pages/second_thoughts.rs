//! The forms used less often, each clicked in Chromium as a person would and checked in the
//! stored data: an operator answers a call and proposes an event from its pages; an
//! administrator renames a season and an event, declines a proposal with a reason, closes a call
//! early, and reads the indicators for dates it types; on booking's side it rejects a request
//! with a reason, enables again an account it had disabled, and reads space use and outreach for
//! the dates it types. The everyday forms are in the other journeys of this folder.

use super::{day_ahead, hall, rome, sign_in, submit};
use chrono::{DateTime, Duration, Utc};
use piazza_e2e::{app::TestApp, browser::Browser};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The first object of the API's list at `path` whose `key` is `value`.
async fn find(app: &TestApp, path: &str, token: &str, key: &str, value: &str) -> Value {
    let (status, list) = app.get(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list
        .get("items")
        .unwrap_or(&list)
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .into_iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("{key} = {value} in {path}: {list}"))
}

#[tokio::test]
async fn an_operator_answers_a_call_and_staff_decline_close_and_rename_from_the_pages() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let day = day_ahead();
    let (status, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Inverno in centro", "starts_on": day.to_string(),
                     "ends_on": (day + Duration::days(90)).to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{season}");
    let season_id = season["id"].as_str().expect("season id").to_string();
    let (status, call) = app
        .post(
            "/api/v1/calls",
            Some(&admin),
            &json!({ "season_id": season_id, "title": "Idee per l'inverno",
                     "opens_at": (day - Duration::days(30)).to_string(),
                     "closes_at": (day + Duration::days(20)).to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let call_id = call["id"].as_str().expect("call id").to_string();
    let browser = Browser::start().await;

    // The operator finds the call among the open ones and answers it.
    browser.goto(&app.url("/calls")).await;
    sign_in(&browser, "ops@arci.test").await;
    browser.click(&format!("a[href='/calls/{call_id}']")).await;
    browser.type_into("#f-title", "Fumetto in biblioteca").await;
    browser
        .click("input[name=categories][value=workshop]")
        .await;
    browser.set_value("#f-weekday", "wed").await;
    browser.set_value("#f-starts", "16:00").await;
    browser.set_value("#f-ends", "18:00").await;
    browser.type_into("#f-sessions", "4").await;
    submit(&browser, &format!("/calls/{call_id}")).await;
    browser.wait_for_text("#sent", "Proposta inviata").await;

    // And proposes an event of its own, outside any call.
    browser.goto(&app.url("/propose")).await;
    browser.type_into("#f-title", "Serata di poesia").await;
    browser
        .click("input[name=categories][value=literature]")
        .await;
    browser
        .set_value("#f-date", &(day + Duration::days(3)).to_string())
        .await;
    browser.set_value("#f-start", "20:00").await;
    browser.set_value("#f-end", "22:00").await;
    submit(&browser, "/propose").await;
    browser.wait_for_text("#sent", "Proposta inviata").await;
    browser
        .wait_for_text("#proposals", "Serata di poesia")
        .await;
    let answers = browser
        .wait_for_text("#answers", "Fumetto in biblioteca")
        .await;
    assert!(answers.contains("Idee per l'inverno"), "{answers}");
    assert!(answers.contains("il mercoledì, 16:00–18:00"), "{answers}");

    // The administrator, after the operator signs out, declines the answer with a reason.
    browser.click("form[action='/logout'] button").await;
    // Signed out, the browser is back on the calendar (its search form is on no other page).
    browser.find("form[action='/'][role=search]").await;
    browser
        .goto(&app.url(&format!("/admin/calls/{call_id}")))
        .await;
    sign_in(&browser, "admin@comune.test").await;
    browser
        .wait_for_text("#proposals", "Fumetto in biblioteca")
        .await;
    browser
        .type_into(
            "#proposals form.decline input[name=reason]",
            "Biblioteca chiusa il mercoledì",
        )
        .await;
    browser
        .click("#proposals form.decline button[type=submit]")
        .await;
    browser.wait_for_text("#done", "Proposta respinta").await;
    let proposal = find(
        &app,
        &format!("/api/v1/calls/{call_id}/proposals"),
        &operator,
        "title",
        "Fumetto in biblioteca",
    )
    .await;
    assert_eq!(proposal["status"], "declined", "{proposal}");
    assert_eq!(
        proposal["decision_reason"], "Biblioteca chiusa il mercoledì",
        "{proposal}"
    );
    // The operator reads what became of its answer, and why.
    let operator_view = Browser::start().await;
    operator_view.goto(&app.url("/propose")).await;
    sign_in(&operator_view, "ops@arci.test").await;
    let answers = operator_view
        .wait_for_text("#answers", "Biblioteca chiusa il mercoledì")
        .await;
    assert!(answers.contains("respinta"), "{answers}");
    operator_view.quit().await;

    // Closes the call before its day.
    browser.goto(&app.url("/admin/calls")).await;
    submit(&browser, &format!("/admin/calls/{call_id}/close")).await;
    browser.wait_for_text("#done", "Bando chiuso").await;
    let (_, closed) = app
        .get(&format!("/api/v1/calls/{call_id}"), Some(&admin))
        .await;
    assert_eq!(closed["open"], false, "{closed}");
    browser.goto(&app.url(&format!("/calls/{call_id}"))).await;
    browser.wait_for_text("main", "Questo bando è chiuso").await;

    // Renames the season.
    browser
        .goto(&app.url(&format!("/admin/seasons/{season_id}/edit")))
        .await;
    browser
        .type_into("#f-name", "Inverno in centro storico")
        .await;
    submit(&browser, &format!("/admin/seasons/{season_id}/edit")).await;
    browser.wait_for_text("#done", "Modifiche salvate").await;
    let (_, renamed) = app
        .get(&format!("/api/v1/seasons/{season_id}"), Some(&admin))
        .await;
    assert_eq!(renamed["name"], "Inverno in centro storico", "{renamed}");

    // Renames the operator's proposed event and moves it an hour later.
    browser.goto(&app.url("/admin/events")).await;
    browser.wait_for_text("#events", "Serata di poesia").await;
    let link = browser
        .run(
            "return [...document.querySelectorAll('#events tr')] \
               .filter(r => r.innerText.includes('Serata di poesia')) \
               .map(r => r.querySelector('a').getAttribute('href'))[0];",
            json!([]),
        )
        .await;
    let event_id = link
        .as_str()
        .and_then(|href| href.strip_prefix("/events/"))
        .expect("the proposed event's link")
        .to_string();
    browser
        .goto(&app.url(&format!("/admin/events/{event_id}/edit")))
        .await;
    browser
        .type_into("#f-title", "Serata di poesia e musica")
        .await;
    browser.set_value("#f-start", "21:00").await;
    browser.set_value("#f-end", "23:00").await;
    submit(&browser, &format!("/admin/events/{event_id}/edit")).await;
    browser.wait_for_text("#done", "Modifiche salvate").await;
    let (_, edited) = app
        .get(&format!("/api/v1/events/{event_id}"), Some(&admin))
        .await;
    assert_eq!(edited["title"], "Serata di poesia e musica", "{edited}");
    let instant = |v: &Value| v.as_str().and_then(|t| t.parse::<DateTime<Utc>>().ok());
    assert_eq!(
        instant(&edited["starts_at"]),
        instant(&json!(rome(day + Duration::days(3), "21:00"))),
        "{edited}"
    );

    // Reads the indicators for the dates it types rather than the season's.
    let (from, to) = (day - Duration::days(7), day + Duration::days(7));
    browser.goto(&app.url("/admin/indicators")).await;
    let season_period = browser.text("#period").await;
    assert!(season_period.starts_with("Stagione"), "{season_period}");
    browser.set_value("#f-from", &from.to_string()).await;
    browser.set_value("#f-to", &to.to_string()).await;
    browser
        .click("form.filters:not(#season-picker) button[type=submit]")
        .await;
    browser.wait_for_url(&format!("from={from}&to={to}")).await;
    assert!(!browser.text("#period").await.starts_with("Stagione"));
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_rejects_a_request_enables_an_account_and_reads_use_for_its_dates() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let space = hall(&app, &admin).await;
    let day = day_ahead();
    let mut requests = Vec::new();
    for (title, start, end) in [
        ("Prove aperte", "10:00", "12:00"),
        ("Festa di fine corso", "18:00", "23:00"),
    ] {
        let (status, booking) = app
            .post(
                "/api/v1/bookings",
                Some(&operator),
                &json!({ "space_id": space, "title": title, "attendees": 20,
                         "starts_at": rome(day, start), "ends_at": rome(day, end) }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{booking}");
        requests.push(booking["id"].as_str().expect("booking id").to_string());
    }
    let browser = Browser::start().await;

    // A request rejected from the queue needs a reason, and the reason is kept.
    browser.goto(&app.url("/admin/bookings")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser.wait_for_text("#queue", "Festa di fine corso").await;
    let reject = format!("/admin/bookings/{}/reject", requests[1]);
    browser
        .type_into(
            &format!("form[action='{reject}'] input[name=reason]"),
            "La sala chiude alle 22",
        )
        .await;
    submit(&browser, &reject).await;
    browser.wait_for_text("main", "Richiesta respinta").await;
    assert!(
        !browser.text("#queue").await.contains("Festa di fine corso"),
        "a rejected request leaves the queue"
    );
    let (_, rejected) = app
        .get(&format!("/api/v1/bookings/{}", requests[1]), Some(&admin))
        .await;
    assert_eq!(rejected["status"], "rejected", "{rejected}");
    assert!(
        rejected.to_string().contains("La sala chiude alle 22"),
        "{rejected}"
    );
    browser
        .click(&format!(
            "form[action='/admin/bookings/{}/approve'] button",
            requests[0]
        ))
        .await;
    browser.wait_for_text("main", "Richiesta approvata").await;

    // Space use for the day the dates name, then for a week without bookings.
    browser.goto(&app.url("/admin/indicators/spaces")).await;
    browser.set_value("#f-from", &day.to_string()).await;
    browser.set_value("#f-to", &day.to_string()).await;
    submit(&browser, "/admin/indicators/spaces").await;
    browser.wait_for_url(&format!("from={day}&to={day}")).await;
    let used = browser
        .wait_for_text("#utilization", "Sala delle Colonne")
        .await;
    let quiet_from = day - Duration::days(14);
    browser.set_value("#f-from", &quiet_from.to_string()).await;
    browser
        .set_value("#f-to", &(quiet_from + Duration::days(6)).to_string())
        .await;
    submit(&browser, "/admin/indicators/spaces").await;
    browser.wait_for_url(&format!("from={quiet_from}")).await;
    let quiet = browser.text("#utilization").await;
    assert!(used.contains("2"), "two hours booked that day: {used}");
    assert_ne!(used, quiet, "the dates typed choose what is counted");
    assert!(quiet.contains("0 %"), "{quiet}");

    // Outreach for the dates typed.
    browser.goto(&app.url("/admin/indicators/outreach")).await;
    browser.set_value("#f-from", &quiet_from.to_string()).await;
    browser.set_value("#f-to", &day.to_string()).await;
    submit(&browser, "/admin/indicators/outreach").await;
    browser
        .wait_for_url(&format!("from={quiet_from}&to={day}"))
        .await;
    browser.find("#figures").await;

    // An account disabled, then enabled again: its password works again.
    browser.goto(&app.url("/admin/accounts")).await;
    browser.click("form[action$='/disable'] button").await;
    browser.wait_for_text("#done", "Account disattivato").await;
    let (status, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({ "email": "ops@arci.test", "password": super::PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    browser.click("form[action$='/enable'] button").await;
    browser.wait_for_text("#done", "Account riattivato").await;
    let (status, token) = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({ "email": "ops@arci.test", "password": super::PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{token}");
    browser.quit().await;
    app.stop().await;
}
