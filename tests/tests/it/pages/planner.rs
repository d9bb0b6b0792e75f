//! The season planner shows the operators' bookings beside the events, on the embedded runtime
//! and on PostgreSQL + RabbitMQ, over HTTP with a session cookie: every date of a weekly series
//! in its week's row and its space's column, with the organisation and the state in words; a
//! booking an event overlaps marked; a cancelled booking gone.

use super::{PASSWORD, log_in, page};
use chrono::{Datelike, Duration as Days, NaiveDate};
use piazza_e2e::{
    app::{Database, TestApp},
    clock::{day_ahead, rome},
    eventually,
};
use piazza_shared::auth::Role;
use piazza_shared::web::{i18n::Lang, words::month_name};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = app.post(path, Some(token), &body).await;
    assert!(status.is_success(), "POST {path}: {status} {answer}");
    answer
}

/// The planner's column headings, and per week row (its heading) the cells' HTML.
fn grid(html: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let table = html
        .split("id=\"planner\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("the planner's grid in {html}"));
    let head = table.split("</thead>").next().unwrap_or_default();
    let columns = head
        .split("<th scope=\"col\">")
        .skip(2)
        .map(|c| c.split("</th>").next().unwrap_or_default().to_string())
        .collect();
    let body = table.split("<tbody>").nth(1).unwrap_or_default();
    let rows = body
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .map(|row| {
            let week = row.split("</th>").next().unwrap_or_default().to_string();
            let cells = row
                .split("<td>")
                .skip(1)
                .map(|c| c.split("</td>").next().unwrap_or_default().to_string())
                .collect();
            (week, cells)
        })
        .collect();
    (columns, rows)
}

/// The planner's heading of the week starting on `monday`, in Italian (`settimana del 3 maggio`).
fn week_of(monday: NaiveDate) -> String {
    format!(
        "settimana del {} {}",
        monday.day(),
        month_name(monday.month(), Lang::It)
    )
}

/// The cell of `week`'s row under the column whose heading starts with `space`.
fn cell(html: &str, week: &str, space: &str) -> String {
    let (columns, rows) = grid(html);
    let column = columns
        .iter()
        .position(|c| c.starts_with(space))
        .unwrap_or_else(|| panic!("a column {space} in {columns:?}"));
    let (_, cells) = rows
        .iter()
        .find(|(w, _)| w == week)
        .unwrap_or_else(|| panic!("a row {week}"));
    cells[column].clone()
}

async fn the_planner_shows_operators_bookings(app: TestApp) {
    let admin = app.admin().await;
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    let operator = app.api.login(&app.base, "ops@arci.test", PASSWORD).await;
    // The first Monday on or after two weeks ahead; the season runs eight weeks from it.
    let ahead = day_ahead();
    let monday = ahead + Days::days(i64::from((7 - ahead.weekday().num_days_from_monday()) % 7));
    let (tuesday, friday) = (monday + Days::days(1), monday + Days::days(4));
    let season = post(
        &app,
        "/api/v1/seasons",
        &admin,
        json!({
            "name": "Stagione di prova", "starts_on": monday.to_string(),
            "ends_on": (monday + Days::weeks(8)).to_string()
        }),
    )
    .await;
    let season_id = season["id"].as_str().unwrap().to_string();
    let mut spaces = Vec::new();
    for name in ["Sala Maffei", "Sala Zanoni"] {
        let space = post(
            &app,
            "/api/v1/spaces",
            &admin,
            json!({
                "name": name, "building": "Palazzo Affaitati", "address": "Via Ugolani Dati 4, Cremona",
                "kind": "hall", "capacity": 100, "equipment": [], "accessibility": [],
                "time_zone": "Europe/Rome", "opening_hours": []
            }),
        )
        .await;
        spaces.push(space["id"].as_str().unwrap().to_string());
    }
    // A weekly rehearsal in Sala Zanoni, three Tuesdays, approved.
    let series = post(
        &app,
        "/api/v1/bookings",
        &operator,
        json!({
            "space_id": spaces[1], "title": "Prove del coro", "attendees": 20,
            "starts_at": rome(tuesday, "18:00"), "ends_at": rome(tuesday, "20:00"),
            "recurrence": "FREQ=WEEKLY;COUNT=3"
        }),
    )
    .await;
    let series_id = series["id"].as_str().unwrap().to_string();
    post(
        &app,
        &format!("/api/v1/bookings/{series_id}/approve"),
        &admin,
        json!({}),
    )
    .await;
    // A request still waiting, in Sala Maffei on the first Friday.
    let waiting = post(
        &app,
        "/api/v1/bookings",
        &operator,
        json!({
            "space_id": spaces[0], "title": "Assemblea dei soci", "attendees": 30,
            "starts_at": rome(friday, "17:00"), "ends_at": rome(friday, "19:00")
        }),
    )
    .await;
    let waiting_id = waiting["id"].as_str().unwrap().to_string();
    // The season's event in Sala Maffei that evening overlaps it (booking refuses its slot).
    post(
        &app,
        "/api/v1/events",
        &admin,
        json!({
            "season_id": season_id, "title": "Concerto d'apertura", "categories": ["music"],
            "space_id": spaces[0],
            "starts_at": rome(friday, "18:30"), "ends_at": rome(friday, "20:00")
        }),
    )
    .await;

    let (_, cookie) = log_in(&app, "admin@comune.test").await;
    let path = format!("/admin/seasons/{season_id}");
    let html = eventually(
        "the bookings on the planner",
        Duration::from_secs(20),
        || async {
            let (status, html) = page(&app, &path, &cookie).await;
            assert_eq!(status, StatusCode::OK);
            (html.matches("data-booking=").count() == 4).then_some(html)
        },
    )
    .await;
    for week in (0..3).map(|n| week_of(monday + Days::weeks(n))) {
        let week = week.as_str();
        let zanoni = cell(&html, week, "Sala Zanoni");
        assert!(
            zanoni.contains("Prove del coro")
                && zanoni.contains("ARCI Cremona")
                && zanoni.contains("approvata"),
            "{week}: {zanoni}"
        );
        assert!(
            !cell(&html, week, "Sala Maffei").contains("Prove del coro"),
            "{week}"
        );
    }
    let maffei = cell(&html, &week_of(monday), "Sala Maffei");
    assert!(
        maffei.contains("Assemblea dei soci") && maffei.contains("in attesa di approvazione"),
        "{maffei}"
    );
    assert!(
        maffei.contains(&format!(
            "class=\"slot booking clash\" data-booking=\"{waiting_id}\""
        )),
        "the overlapped booking is marked: {maffei}"
    );
    assert!(
        maffei.contains("si sovrappone a: Concerto d&#x27;apertura")
            || maffei.contains("si sovrappone a: Concerto d'apertura"),
        "{maffei}"
    );
    assert!(
        html.contains("1 prenotazione sovrapposta a un evento"),
        "{html}"
    );

    // Cancelled, the request leaves the planner.
    post(
        &app,
        &format!("/api/v1/bookings/{waiting_id}/cancel"),
        &operator,
        json!({}),
    )
    .await;
    eventually(
        "the cancelled booking gone",
        Duration::from_secs(20),
        || async {
            let (_, html) = page(&app, &path, &cookie).await;
            (!html.contains("Assemblea dei soci") && html.contains("Prove del coro")).then_some(())
        },
    )
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planner_shows_operators_bookings_embedded() {
    let app = TestApp::builder().database(Database::Sqlite).spawn().await;
    the_planner_shows_operators_bookings(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planner_shows_operators_bookings_on_postgres_and_rabbitmq() {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    the_planner_shows_operators_bookings(app).await;
}
