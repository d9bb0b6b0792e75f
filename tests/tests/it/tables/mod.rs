//! Co-design tables, end to end on the embedded default and on PostgreSQL + RabbitMQ: a table's
//! meeting books its space through the bus (it leaves the space's availability and sits on the
//! season planner, and moving or cancelling it moves or frees the slot); minutes, attendance and
//! decisions after the meeting, a social-services table's minutes kept from the public, and the
//! monitoring message; bad input answered with 422s naming the field.

mod meetings;
mod minutes;
mod pages;
mod validation;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use piazza_e2e::{app::TestApp, clock, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// How long anything asynchronous may take.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Posts and expects `status`; returns the body.
pub async fn expect(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
    status: StatusCode,
) -> Value {
    let (got, answer) = app.post(path, token, &body).await;
    assert_eq!(got, status, "POST {path}: {answer}");
    answer
}

/// GET that must answer 200.
pub async fn get(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let (status, body) = app.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// A hall in booking, open at all times; returns its id.
pub async fn space(app: &TestApp, admin: &str, name: &str) -> String {
    let space = expect(
        app,
        "/api/v1/spaces",
        Some(admin),
        json!({
            "name": name, "building": "Palazzo Affaitati", "address": "Via Ugolani Dati 4, Cremona",
            "kind": "hall", "capacity": 80, "equipment": [], "accessibility": [],
            "time_zone": "Europe/Rome", "opening_hours": []
        }),
        StatusCode::CREATED,
    )
    .await;
    space["id"].as_str().unwrap().to_string()
}

/// A table; returns it.
pub async fn table(app: &TestApp, admin: &str, body: Value) -> Value {
    expect(
        app,
        "/api/v1/tables",
        Some(admin),
        body,
        StatusCode::CREATED,
    )
    .await
}

/// A season around `day` (a week before to two months after); returns its id.
pub async fn season_around(app: &TestApp, admin: &str, day: NaiveDate) -> String {
    let season = expect(
        app,
        "/api/v1/seasons",
        Some(admin),
        json!({
            "name": "Stagione dei tavoli",
            "starts_on": (day - Duration::days(7)).to_string(),
            "ends_on": (day + Duration::days(60)).to_string()
        }),
        StatusCode::CREATED,
    )
    .await;
    season["id"].as_str().unwrap().to_string()
}

/// Waits until the meeting satisfies `ready`, reading it as `token` sees it.
pub async fn meeting_when(
    app: &TestApp,
    token: Option<&str>,
    table: &str,
    id: &str,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    eventually(what, WAIT, || async {
        let (_, meeting) = app
            .get(&format!("/api/v1/tables/{table}/meetings/{id}"), token)
            .await;
        ready(&meeting).then_some(meeting)
    })
    .await
}

pub fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap_or_default())
        .unwrap_or_else(|_| panic!("an instant: {value}"))
        .with_timezone(&Utc)
}

/// The space's free windows on `day` (Rome), as instants.
pub async fn free_on(
    app: &TestApp,
    space: &str,
    day: NaiveDate,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let from = clock::rome(day, "00:00").replace('+', "%2B");
    let to = clock::rome(day + Duration::days(1), "00:00").replace('+', "%2B");
    let free = get(
        app,
        &format!("/api/v1/spaces/{space}/availability?from={from}&to={to}"),
        None,
    )
    .await;
    free["free"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (instant(&w["starts_at"]), instant(&w["ends_at"])))
        .collect()
}

/// Whether a free window covers `[from, to)`.
pub fn offered(
    windows: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    windows.iter().any(|(s, e)| *s <= from && to <= *e)
}

/// Whether any free window overlaps `[from, to)`.
pub fn touches(
    windows: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    windows.iter().any(|(s, e)| *s < to && from < *e)
}

/// `time` on `day` in Rome as an instant.
pub fn at(day: NaiveDate, time: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&clock::rome(day, time))
        .unwrap()
        .with_timezone(&Utc)
}

/// The `errors[].field`s of a 422.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
