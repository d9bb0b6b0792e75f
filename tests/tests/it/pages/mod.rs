//! The web pages: a whole journey in a real browser (headless Chromium), and the guards around
//! cookie sessions (login, roles, CSRF, same origin) checked over plain HTTP.

mod guards;
mod journey;

use chrono::{Datelike, Duration, NaiveDate, Utc};
use piazza_e2e::app::TestApp;
use serde_json::json;

pub const PASSWORD: &str = "a-long-test-password";

/// A day two weeks ahead, in Rome: far enough that nothing is in the past.
pub fn day_ahead() -> NaiveDate {
    (Utc::now().with_timezone(&chrono_tz::Europe::Rome) + Duration::days(14)).date_naive()
}

/// `2027-03-05T21:00:00+01:00` for `day` at `time` in Rome.
pub fn rome(day: NaiveDate, time: &str) -> String {
    piazza_shared::web::words::local_instant(&day.to_string(), time, chrono_tz::Europe::Rome)
        .expect("a Rome time")
}

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
    let _ = day_ahead().weekday();
    space["id"].as_str().expect("space id").to_string()
}
