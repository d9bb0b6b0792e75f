//! The operator's proposal form and the administrator's season planner and indicators, over
//! HTTP with a session cookie: what each page says after real changes.

use super::{PASSWORD, csrf_of, day_ahead, hall, log_in, page, post_form, rome};
use piazza_e2e::{app::TestApp, eventually};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn an_operator_proposes_an_event_and_sees_it_waiting() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let space = hall(&app, &admin).await;
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    let (_, cookie) = log_in(&app, "ops@arci.test").await;
    // The scheduler learns of the space over the bus before it can offer it.
    let form = eventually(
        "the space in the proposal form",
        Duration::from_secs(20),
        || async {
            let (_, html) = page(&app, "/propose", &cookie).await;
            html.contains(&space).then_some(html)
        },
    )
    .await;
    let csrf = csrf_of(&form);
    let day = day_ahead().to_string();
    // No category: the page says which field is wrong and keeps what was typed.
    let (status, _, html) = post_form(
        &app,
        "/propose",
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Poesia in cortile"),
            ("date", &day),
            ("start", "18:00"),
            ("end", "19:30"),
            ("space_id", &space),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"e-categories\"") || html.contains("href=\"#f-categories\""),
        "{html}"
    );
    assert!(html.contains("value=\"Poesia in cortile\""));
    // Said in Italian by the field, not the API's English and field code.
    assert!(
        html.contains("Categorie: scegli almeno una categoria"),
        "{html}"
    );
    let (status, location, _) = post_form(
        &app,
        "/propose",
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Poesia in cortile"),
            ("categories", "literature"),
            ("date", &day),
            ("start", "18:00"),
            ("end", "19:30"),
            ("space_id", &space),
            ("age_min", "16"),
            ("accessibility_notes", "Cortile senza gradini"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/propose?sent=1");
    let (_, html) = page(&app, "/propose?sent=1", &cookie).await;
    assert!(html.contains("Proposta inviata"));
    let table = html
        .split("id=\"proposals\"")
        .nth(1)
        .expect("the proposals table");
    assert!(
        table.contains("Poesia in cortile") && table.contains("proposto"),
        "{table}"
    );
    // The administrator finds its slot request in the approval queue.
    let (_, admin_cookie) = log_in(&app, "admin@comune.test").await;
    let queue = eventually(
        "the proposal's slot request",
        Duration::from_secs(20),
        || async {
            let (_, html) = page(&app, "/admin/bookings", &admin_cookie).await;
            html.contains("Poesia in cortile").then_some(html)
        },
    )
    .await;
    assert!(queue.contains("ARCI Cremona"));
    app.stop().await;
}

#[tokio::test]
async fn the_season_planner_shows_clashes_and_publishes_the_season() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let day = day_ahead();
    let (_, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({
                "name": "Primavera in centro", "starts_on": day.to_string(),
                "ends_on": (day + chrono::Duration::days(60)).to_string()
            }),
        )
        .await;
    let season_id = season["id"].as_str().expect("season id").to_string();
    for (title, start) in [("Jam session", "21:00"), ("Open mic", "21:30")] {
        let (status, event) = app
            .post(
                "/api/v1/events",
                Some(&admin),
                &json!({
                    "season_id": season_id, "title": title, "categories": ["music"],
                    "age_min": 16, "age_max": 25,
                    "starts_at": rome(day, start), "ends_at": rome(day, "23:00"),
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
    }
    let (_, cookie) = log_in(&app, "admin@comune.test").await;
    let (status, html) = page(&app, &format!("/admin/seasons/{season_id}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("1 sovrapposizione · 0 eventi senza spazio"),
        "{html}"
    );
    assert!(html.contains("stesso pubblico: Open mic"));
    assert!(html.contains("stesso pubblico: Jam session"));
    assert!(html.contains("class=\"slot clash\""));
    let (_, list) = page(&app, "/admin/seasons", &cookie).await;
    assert!(list.contains("Primavera in centro"));
    let (status, location, _) = post_form(
        &app,
        &format!("/admin/seasons/{season_id}/publish"),
        &cookie,
        &[("csrf", &csrf_of(&html))],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, after) = page(&app, &location, &cookie).await;
    assert!(after.contains("Stagione pubblicata"));
    let (_, season) = app.get(&format!("/api/v1/seasons/{season_id}"), None).await;
    assert_eq!(season["status"], "published");
    app.stop().await;
}

#[tokio::test]
async fn indicators_count_published_events_and_people_and_export_csv() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let day = day_ahead();
    let (_, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Laboratorio di fumetto", "categories": ["workshop", "visual_arts"],
                "capacity": 20, "starts_at": rome(day, "17:00"), "ends_at": rome(day, "19:00"),
            }),
        )
        .await;
    let id = event["id"].as_str().expect("event id").to_string();
    // A draft counts for nothing.
    app.post(
        "/api/v1/events",
        Some(&admin),
        &json!({
            "title": "Bozza", "categories": ["workshop"],
            "starts_at": rome(day, "10:00"), "ends_at": rome(day, "11:00"),
        }),
    )
    .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (name, email) in [("Ada", "ada@example.org"), ("Bruno", "bruno@example.org")] {
        let (status, body) = app
            .post(
                &format!("/api/v1/events/{id}/registrations"),
                None,
                &json!({ "name": name, "email": email }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.add_user("eval@monitor.test", Role::Evaluator, None, PASSWORD)
        .await;
    let (_, cookie) = log_in(&app, "eval@monitor.test").await;
    let range = format!("from={day}&to={day}");
    let (status, html) = page(&app, &format!("/admin/indicators?{range}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<strong>2</strong> giovani diversi"),
        "{html}"
    );
    assert!(html.contains("<svg role=\"img\""));
    assert!(
        html.contains("<td>Laboratorio</td><td>1</td><td>2</td>"),
        "{html}"
    );
    let (status, csv) = page(&app, &format!("/admin/indicators.csv?{range}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\"category\",\"events_published\",\"registrations_confirmed\"\r\n"));
    assert!(
        csv.contains("\"workshop\",1,2\r\n") && csv.contains("\"visual_arts\",1,2\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\"music\",0,0\r\n") && csv.ends_with("\"all\",,2\r\n"),
        "{csv}"
    );
    assert!(!csv.contains("@"), "aggregates only");
    // Operators do not read indicators.
    app.add_user("ops@arci.test", Role::Operator, Some("ARCI"), PASSWORD)
        .await;
    let (_, operator) = log_in(&app, "ops@arci.test").await;
    let (status, _) = page(&app, "/admin/indicators", &operator).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn an_operator_answers_an_open_call_from_its_page() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let today = piazza_e2e::clock::now().date_naive();
    let (_, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({
                "name": "Primavera", "starts_on": (today + chrono::Duration::days(40)).to_string(),
                "ends_on": (today + chrono::Duration::days(120)).to_string()
            }),
        )
        .await;
    let (status, call) = app
        .post("/api/v1/calls", Some(&admin), &json!({
            "season_id": season["id"], "title": "Idee per la primavera", "description": "Laboratori per ragazzi",
            "opens_at": today.to_string(), "closes_at": (today + chrono::Duration::days(30)).to_string()
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{call}");
    let call_id = call["id"].as_str().expect("call id").to_string();
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    let (_, cookie) = log_in(&app, "ops@arci.test").await;
    let (_, list) = page(&app, "/calls", &cookie).await;
    assert!(list.contains("Idee per la primavera"), "{list}");
    let (_, form) = page(&app, &format!("/calls/{call_id}"), &cookie).await;
    let csrf = csrf_of(&form);
    let path = format!("/calls/{call_id}");
    // An end before the start is the API's own 422, shown on the form.
    let (status, _, html) = post_form(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Rap lab"),
            ("categories", "music"),
            ("weekday", "thu"),
            ("starts", "19:00"),
            ("ends", "17:00"),
            ("sessions", "4"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"e-ends\"") || html.contains("href=\"#f-ends\""),
        "{html}"
    );
    let (status, location, _) = post_form(
        &app,
        &path,
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Rap lab"),
            ("categories", "music"),
            ("weekday", "thu"),
            ("starts", "17:00"),
            ("ends", "19:00"),
            ("sessions", "4"),
            ("age_min", "14"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/calls?sent=1");
    let (_, proposals) = app
        .get(&format!("/api/v1/calls/{call_id}/proposals"), Some(&admin))
        .await;
    assert_eq!(proposals[0]["title"], "Rap lab", "{proposals}");
    assert_eq!(proposals[0]["preferred_slot"]["weekday"], "thu");
    app.stop().await;
}

#[tokio::test]
async fn evaluators_read_the_use_of_spaces_and_the_outreach_as_charts_and_csv() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let space = hall(&app, &admin).await;
    let day = day_ahead();
    // Two hours booked of the 14.5 the hall is open that day.
    let (_, booking) = app
        .post(
            "/api/v1/bookings",
            Some(&admin),
            &json!({
                "space_id": space, "title": "Prove", "attendees": 10,
                "starts_at": rome(day, "10:00"), "ends_at": rome(day, "12:00"),
            }),
        )
        .await;
    let id = booking["id"].as_str().expect("booking id");
    app.post(
        &format!("/api/v1/bookings/{id}/approve"),
        Some(&admin),
        &json!({}),
    )
    .await;
    let (_, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Cineforum", "categories": ["cinema"],
                "starts_at": rome(day, "21:00"), "ends_at": rome(day, "23:00"),
            }),
        )
        .await;
    let event_id = event["id"].as_str().expect("event id");
    app.post(
        &format!("/api/v1/events/{event_id}/publish"),
        Some(&admin),
        &json!({}),
    )
    .await;
    app.add_user("eval@monitor.test", Role::Evaluator, None, PASSWORD)
        .await;
    let (_, cookie) = log_in(&app, "eval@monitor.test").await;

    let range = format!("from={day}&to={day}");
    let (status, html) = page(&app, &format!("/admin/indicators/spaces?{range}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let table = html.split("id=\"utilization\"").nth(1).expect("the table");
    assert!(table.contains("<td>Sala delle Colonne</td>"), "{table}");
    assert!(
        table.contains("<td>14.5</td><td>2.0</td><td>14 %</td>"),
        "{table}"
    );
    assert!(html.contains("<svg role=\"img\""));
    let (_, csv) = page(
        &app,
        &format!("/admin/indicators/spaces.csv?{range}"),
        &cookie,
    )
    .await;
    assert!(
        csv.contains(&format!(
            "\"{space}\",\"Sala delle Colonne\",\"Palazzo Affaitati\",14.50,2.00,0.1379\r\n"
        )),
        "{csv}"
    );

    // The notifier hears of the published event over the bus.
    let html = eventually("the outreach figures", Duration::from_secs(20), || async {
        let (_, html) = page(
            &app,
            &format!("/admin/indicators/outreach?{range}"),
            &cookie,
        )
        .await;
        html.contains("Eventi annunciati</dt><dd><strong>1</strong>")
            .then_some(html)
    })
    .await;
    assert!(
        html.contains("Giovani raggiunti</dt><dd><strong>0</strong>"),
        "{html}"
    );
    let (_, csv) = page(
        &app,
        &format!("/admin/indicators/outreach.csv?{range}"),
        &cookie,
    )
    .await;
    assert!(csv.contains("\"events\",\"cinema\",1\r\n"), "{csv}");
    assert!(!csv.contains('@'), "aggregates only");
    // In English, the shared pieces (tabs, chart titles) too.
    let (_, english) = page(
        &app,
        &format!("/admin/indicators/spaces?{range}&lang=en"),
        &cookie,
    )
    .await;
    assert!(english.contains(">Young people reached</a>"), "{english}");
    assert!(english.contains("Booked hours over open hours, per space"));
    app.stop().await;
}
