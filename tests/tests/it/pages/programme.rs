//! The programme run from the pages in headless Chromium, by clicking: an administrator opens a
//! season and a call, makes a weekly event with the rule chosen in words, accepts an operator's
//! proposal into the season, schedules and publishes; a young person finds an event by words
//! (and the next events when the period shown is empty) and registers; an unknown address
//! answers the site's page in Italian with 404, never JSON.

use super::{PASSWORD, client, day_ahead, rome, sign_in as log_in, submit};
use chrono::{Datelike, Duration};
use piazza_e2e::{app::TestApp, browser::Browser};
use piazza_shared::auth::Role;
use reqwest::{StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn an_administrator_opens_a_season_and_a_call_plans_a_weekly_event_and_publishes() {
    let app = TestApp::builder().spawn().await;
    run_the_season(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_runs_the_season_from_the_pages_on_postgresql() {
    let app = TestApp::builder().postgres().spawn().await;
    run_the_season(&app).await;
    app.stop().await;
}

async fn run_the_season(app: &TestApp) {
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let day = day_ahead();
    let browser = Browser::start().await;

    // A season, opened from the seasons page; a wrong date range is explained by the field.
    browser.goto(&app.url("/admin/seasons")).await;
    log_in(&browser, "admin@comune.test").await;
    browser.type_into("#f-name", "Autunno in centro").await;
    browser.set_value("#f-starts_on", &day.to_string()).await;
    browser
        .set_value("#f-ends_on", &(day - Duration::days(1)).to_string())
        .await;
    submit(&browser, "/admin/seasons").await;
    let problem = browser.wait_for_text("#problems", "Ultimo giorno").await;
    assert!(
        problem.contains("non può venire prima del primo giorno"),
        "{problem}"
    );
    browser
        .set_value("#f-ends_on", &(day + Duration::days(60)).to_string())
        .await;
    submit(&browser, "/admin/seasons").await;
    browser.wait_for_text("#done", "Stagione aperta").await;
    let season_url = browser.url().await;
    let season_id = season_url
        .split("/admin/seasons/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .expect("the season's page")
        .to_string();
    assert!(
        browser.text("main").await.contains("in preparazione"),
        "the season's state in words"
    );

    // A call for ideas, opened from the calls page.
    browser.goto(&app.url("/admin/calls")).await;
    browser.set_value("#f-season_id", &season_id).await;
    browser.type_into("#f-title", "Idee per l'autunno").await;
    browser
        .set_value("#f-closes_at", &(day + Duration::days(10)).to_string())
        .await;
    submit(&browser, "/admin/calls").await;
    browser.wait_for_text("#done", "Bando aperto").await;
    let call_id = browser
        .url()
        .await
        .split("/admin/calls/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .expect("the call's page")
        .to_string();

    // An operator answers it (its own pages are another journey).
    let (status, proposal) = app
        .post(
            &format!("/api/v1/calls/{call_id}/proposals"),
            Some(&operator),
            &json!({
                "title": "Rap in cortile", "categories": ["music", "workshop"],
                "age_min": 14, "age_max": 19, "sessions": 3,
                "preferred_slot": { "weekday": "sat", "starts": "16:00", "ends": "18:00" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");

    // A weekly event with its rule chosen in words: Tuesdays and Thursdays, every week, for
    // three weeks.
    let first = day
        + Duration::days(i64::from(
            (7 + 1 - day.weekday().num_days_from_monday()) % 7,
        ));
    let until = first + Duration::days(16);
    browser.goto(&app.url("/admin/events/new")).await;
    browser
        .type_into("#f-title", "Jam session del martedì")
        .await;
    browser.click("input[name=categories][value=music]").await;
    browser.type_into("#f-age_min", "16").await;
    browser.set_value("#f-date", &first.to_string()).await;
    browser.set_value("#f-start", "21:00").await;
    browser.set_value("#f-end", "23:00").await;
    browser.click("#f-weekly").await;
    browser.click("input[name=days][value=tue]").await;
    browser.click("input[name=days][value=thu]").await;
    browser.set_value("#f-until", &until.to_string()).await;
    browser.set_value("#f-season_id", &season_id).await;
    submit(&browser, "/admin/events/new").await;
    browser.wait_for_text("#done", "Evento creato").await;
    let events = browser
        .wait_for_text("#events", "Jam session del martedì")
        .await;
    assert!(
        events.contains("ogni settimana, il martedì e giovedì, fino a"),
        "{events}"
    );
    browser.screenshot("admin-events-weekly").await;

    // The operator's proposal, accepted into the season from the call's page.
    browser
        .goto(&app.url(&format!("/admin/calls/{call_id}")))
        .await;
    browser.wait_for_text("#proposals", "Rap in cortile").await;
    browser
        .click("#proposals form.accept button[type=submit]")
        .await;
    browser.wait_for_text("#done", "Proposta accettata").await;
    let (_, decided) = app
        .get(
            &format!(
                "/api/v1/proposals/{}",
                proposal["id"].as_str().unwrap_or_default()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(decided["status"], "accepted", "{decided}");
    let accepted_event = decided["event_ids"][0]
        .as_str()
        .expect("the accepted proposal's event")
        .to_string();

    // Scheduled, then published, from the events page.
    browser.goto(&app.url("/admin/events")).await;
    submit(
        &browser,
        &format!("/admin/events/{accepted_event}/schedule"),
    )
    .await;
    browser
        .wait_for_text("#done", "Evento messo in programma")
        .await;
    submit(&browser, &format!("/admin/events/{accepted_event}/publish")).await;
    browser.wait_for_text("#done", "Evento pubblicato").await;
    let link = browser
        .run(
            "return [...document.querySelectorAll('#events tr')] \
               .filter(r => r.innerText.includes('Jam session')) \
               .map(r => r.querySelector('a').getAttribute('href'))[0];",
            json!([]),
        )
        .await;
    let weekly_id = link
        .as_str()
        .and_then(|href| href.strip_prefix("/events/"))
        .expect("the weekly event's link")
        .to_string();
    submit(&browser, &format!("/admin/events/{weekly_id}/publish")).await;
    browser.wait_for_text("#done", "Evento pubblicato").await;

    // Its dates are the ones chosen in words.
    let (_, weekly) = app.get(&format!("/api/v1/events/{weekly_id}"), None).await;
    assert_eq!(weekly["status"], "published", "{weekly}");
    let days: Vec<String> = weekly["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| o["starts_at"].as_str().unwrap_or_default()[..10].to_string())
        .collect();
    let expected: Vec<String> = [0, 2, 7, 9, 14, 16]
        .iter()
        .map(|d| (first + Duration::days(*d)).to_string())
        .collect();
    let utc_days: Vec<String> = expected
        .iter()
        .map(|d| {
            rome(d.parse().expect("a day"), "21:00")
                .parse::<chrono::DateTime<chrono::Utc>>()
                .expect("an instant")
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    assert_eq!(days, utc_days);

    // The planner: a week-by-space grid with both, and the season published from it.
    browser
        .goto(&app.url(&format!("/admin/seasons/{season_id}")))
        .await;
    let grid = browser
        .wait_for_text("#planner", "Jam session del martedì")
        .await;
    assert!(grid.contains("Rap in cortile"), "{grid}");
    assert!(grid.contains("settimana del"), "{grid}");
    let summary = browser.text("#summary").await;
    assert!(summary.contains("0 eventi senza spazio"), "{summary}");
    browser.screenshot("season-planner").await;
    submit(&browser, &format!("/admin/seasons/{season_id}/publish")).await;
    browser.wait_for_text("#done", "Stagione pubblicata").await;
    let (_, season) = app
        .get(&format!("/api/v1/seasons/{season_id}"), Some(&admin))
        .await;
    assert_eq!(season["status"], "published");

    // Cancelled from its edit page, the weekly event leaves the planner.
    browser
        .goto(&app.url(&format!("/admin/events/{weekly_id}/edit")))
        .await;
    browser.type_into("#f-reason", "Sala in restauro").await;
    submit(&browser, &format!("/admin/events/{weekly_id}/cancel")).await;
    browser.wait_for_text("#done", "Evento annullato").await;
    browser
        .goto(&app.url(&format!("/admin/seasons/{season_id}")))
        .await;
    let grid = browser.wait_for_text("#planner", "Rap in cortile").await;
    assert!(!grid.contains("Jam session"), "{grid}");
    browser.quit().await;
}

#[tokio::test]
async fn a_young_person_finds_an_event_by_words_and_the_next_ones_after_an_empty_month() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    // Both events are more than a month away: the default list shows nothing of its own.
    let day = day_ahead() + Duration::days(40);
    let mut ids = Vec::new();
    for (title, description, start) in [
        (
            "Laboratorio di fumetto",
            "Disegniamo una storia a fumetti in sei tavole.",
            "17:00",
        ),
        ("Jam session", "Porta il tuo strumento.", "21:00"),
    ] {
        let (status, event) = app
            .post(
                "/api/v1/events",
                Some(&admin),
                &json!({
                    "title": title, "description": description, "categories": ["music"],
                    "capacity": 10, "starts_at": rome(day, start),
                    "ends_at": rome(day, if start == "17:00" { "19:00" } else { "23:00" }),
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
        let id = event["id"].as_str().expect("id").to_string();
        let (status, _) = app
            .post(
                &format!("/api/v1/events/{id}/publish"),
                Some(&admin),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        ids.push(id);
    }
    let browser = Browser::start().await;
    browser.goto(&app.url("/")).await;
    let empty = browser.wait_for_text("#empty", "ecco i prossimi").await;
    assert!(empty.contains("Nessun evento in questo periodo"), "{empty}");
    let later = browser.text("#later").await;
    assert!(
        later.contains("Laboratorio di fumetto") && later.contains("Jam session"),
        "{later}"
    );
    // Words from the description, in another case, find the one event.
    browser.type_into("#f-q", "FUMETTI").await;
    browser.click("form.filters button[type=submit]").await;
    let found = browser.wait_for_text("#later", "Laboratorio").await;
    assert!(!found.contains("Jam session"), "{found}");
    browser.screenshot("calendar-search").await;
    browser.click("#later a").await;
    browser
        .wait_for_text("main h1", "Laboratorio di fumetto")
        .await;
    let privacy = browser.text("#privacy").await;
    assert!(privacy.contains("Privacy"), "{privacy}");
    let closes = browser.text("main").await;
    assert!(
        !closes.contains("–16:") && !closes.contains("16:00–16:00"),
        "a closing time is one moment: {closes}"
    );
    browser.type_into("#f-name", "Giulia").await;
    browser.type_into("#f-email", "giulia@example.org").await;
    browser
        .click(&format!(
            "form[action='/events/{}/register'] button[type=submit]",
            ids[0]
        ))
        .await;
    browser.wait_for_text("#registered", "Sei iscritto").await;

    // An address that is no page answers the site's page, in Italian.
    browser.goto(&app.url("/eventi-che-non-ci-sono")).await;
    browser
        .wait_for_text("main", "Questa pagina non esiste")
        .await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_page_answers_an_italian_page_with_404_and_the_api_keeps_json() {
    let app = TestApp::builder().spawn().await;
    let browser_like = |path: &str| {
        client()
            .get(app.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8")
            .header(header::ACCEPT_LANGUAGE, "it-IT,it;q=0.9")
    };
    for path in [
        "/pagina-inesistente",
        "/events/non-un-id",
        "/admin/seasons/x/y",
    ] {
        let response = browser_like(path).send().await.expect("an answer");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let html = response.text().await.unwrap_or_default();
        assert!(html.contains("<html lang=\"it\""), "{html}");
        assert!(
            html.contains("Questa pagina non esiste") || html.contains("Non trovato"),
            "{path}: {html}"
        );
        assert!(html.contains("piazza.css"), "in the site's style: {html}");
    }
    // A method a page does not take: a page too.
    let response = client()
        .delete(app.url("/admin/seasons"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.text().await.unwrap_or_default().contains("<html"));
    // An API client keeps problem+json, even asking for HTML.
    let response = browser_like("/api/v1/nothing-here")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    // So does a client that does not ask for HTML.
    let response = client()
        .get(app.url("/pagina-inesistente"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_evaluator_picks_a_season_and_reads_its_indicators() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    app.add_user("eval@comune.test", Role::Evaluator, None, PASSWORD)
        .await;
    let today = day_ahead() - Duration::days(14);
    let spring = today + Duration::days(100);
    let mut seasons = Vec::new();
    for (name, from, to) in [
        (
            "Inverno in centro",
            today - Duration::days(10),
            today + Duration::days(50),
        ),
        ("Primavera in centro", spring, spring + Duration::days(60)),
    ] {
        let (status, season) = app
            .post(
                "/api/v1/seasons",
                Some(&admin),
                &json!({ "name": name, "starts_on": from.to_string(), "ends_on": to.to_string() }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{season}");
        seasons.push(season["id"].as_str().expect("id").to_string());
    }
    // One published event in the spring season, with one registration.
    let day = spring + Duration::days(5);
    let (_, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "season_id": seasons[1], "title": "Concerto di primavera", "categories": ["music"],
                "starts_at": rome(day, "21:00"), "ends_at": rome(day, "23:00"),
            }),
        )
        .await;
    let id = event["id"].as_str().expect("event id").to_string();
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{id}/registrations"),
            None,
            &json!({ "name": "Ada", "email": "ada@example.org" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let browser = Browser::start().await;
    browser.goto(&app.url("/admin/indicators")).await;
    log_in(&browser, "eval@comune.test").await;
    // By default, the season under way: nothing published in it yet.
    browser.wait_for_text("#period", "Inverno in centro").await;
    assert_eq!(browser.text("#events-total").await, "0 eventi pubblicati");
    // The spring season, picked from the list.
    browser.set_value("#f-season", &seasons[1]).await;
    browser.click("#season-picker button[type=submit]").await;
    browser
        .wait_for_text("#period", "Primavera in centro")
        .await;
    assert_eq!(browser.text("#events-total").await, "1 evento pubblicato");
    let people = browser.text("#people").await;
    assert!(people.starts_with('1'), "{people}");
    browser.screenshot("indicators-season").await;
    browser.quit().await;
    app.stop().await;
}
