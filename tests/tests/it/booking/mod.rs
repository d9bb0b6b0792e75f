//! The booking service, end to end on both databases: 200 simultaneous requests for overlapping
//! slots (exact, partial, touching, through a floor and its rooms) of which exactly the
//! non-overlapping set is held, series across clock changes, quotas under concurrency, date
//! exceptions and recurring closures, the space's iCalendar feed read by an independent parser,
//! the utilisation report against figures worked out by hand, the `space.*` and `booking.*`
//! messages every change sends, bad input, and the sectors' sign-offs of large bookings.

mod calendar_rules;
mod concurrency;
mod feed;
mod in_the_way;
mod invariants;
mod messages;
mod model;
mod quotas;
mod recurrence;
mod report;
mod signoffs;
mod validation;
mod vocabularies;

use piazza_e2e::app::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Posts and expects `status`; returns the body.
pub async fn expect(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
    status: StatusCode,
) -> Value {
    let (got, answer) = app.post(path, token, &body).await;
    assert_eq!(got, status, "POST {path} {body}: {answer}");
    answer
}

/// A space with these fields over sensible defaults (a hall in Palazzo Affaitati, open at all
/// times, no buffers); returns its id.
pub async fn space(app: &TestApp, admin: &str, fields: Value) -> String {
    let mut body = json!({
        "name": "Sala delle Colonne", "building": "Palazzo Affaitati",
        "address": "Via Ugolani Dati 4, Cremona", "kind": "hall", "capacity": 100,
        "time_zone": "Europe/Rome", "opening_hours": []
    });
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    let created = expect(
        app,
        "/api/v1/spaces",
        Some(admin),
        body,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().unwrap().to_string()
}

/// Requests a booking with `token`; returns the status and body.
pub async fn book(
    app: &TestApp,
    token: &str,
    space: &str,
    starts_at: &str,
    ends_at: &str,
) -> (StatusCode, Value) {
    app.post(
        "/api/v1/bookings",
        Some(token),
        &json!({ "space_id": space, "title": "Prove del coro", "starts_at": starts_at,
                 "ends_at": ends_at, "attendees": 10 }),
    )
    .await
}

/// The free slots of a space between two bounds, as `(start, end)` RFC 3339 UTC texts.
pub async fn free(app: &TestApp, space: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let (status, body) = app
        .get(
            &format!(
                "/api/v1/spaces/{space}/availability?from={}&to={}",
                urlencode(from),
                urlencode(to)
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["free"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| (utc(&slot["starts_at"]), utc(&slot["ends_at"])))
        .collect()
}

/// An RFC 3339 value as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc(value: &Value) -> String {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

pub fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
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
