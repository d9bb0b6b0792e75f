//! Benchmarks of the public calendar on a season of 10,000 occurrences (40 published daily
//! series of 250), on SQLite and on PostgreSQL: listing one month (every page of
//! `GET /api/v1/events?from=…&to=…&limit=500`, target p99 ≤ 20 ms per request) and the
//! full-season iCalendar feed (`GET /calendar.ics?season_id=…`, target ≤ 100 ms).
//! The public calendar page shows the same month as HTML (target p99 ≤ 150 ms).
//! Times are measured by an HTTP client in the same process, body read in full.
//!
//! Run: `cargo bench -p piazza-e2e --bench calendar`

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use piazza_e2e::{
    ServiceSections,
    app::{Database, TestApp},
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SERIES: usize = 40;
const PER_SERIES: usize = 250;
const MONTH_ROUNDS: usize = 60;
const FEED_ROUNDS: usize = 100;

const CATEGORIES: [&str; 5] = [
    "music",
    "theatre",
    "workshop",
    "cinema",
    "socio_educational",
];

async fn season_of_10_000(app: &TestApp) -> String {
    let admin = app.admin().await;
    let (_, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Stagione 2027", "starts_on": "2027-01-01", "ends_on": "2027-12-31" }),
        )
        .await;
    let season = season["id"].as_str().unwrap().to_string();
    for n in 0..SERIES {
        let hour = 9 + n % 12;
        let body = json!({
            "season_id": season,
            "title": format!("Laboratorio {n}: città, musica e teatro per i giovani del centro storico"),
            "description": "Un percorso settimanale aperto a ragazze e ragazzi dai 14 ai 29 anni: si lavora in gruppo, si prova, si mette in scena. Portare abiti comodi; la sala è accessibile senza gradini.",
            "description_en": "A weekly pathway open to young people aged 14 to 29.",
            "categories": [CATEGORIES[n % CATEGORIES.len()]], "age_min": 14, "age_max": 29, "capacity": 30,
            "starts_at": format!("2027-01-04T{hour:02}:00:00+01:00"), "ends_at": format!("2027-01-04T{hour:02}:45:00+01:00"),
            "recurrence": format!("FREQ=DAILY;COUNT={PER_SERIES}")
        });
        let (status, event) = app.post("/api/v1/events", Some(&admin), &body).await;
        assert!(status.is_success(), "{event}");
        let id = event["id"].as_str().unwrap();
        let (status, published) = app
            .post(
                &format!("/api/v1/events/{id}/publish"),
                Some(&admin),
                &json!({}),
            )
            .await;
        assert!(status.is_success(), "{published}");
    }
    season
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<Duration>, target: Duration) {
    samples.sort();
    let p50 = percentile(&samples, 0.50);
    let p99 = percentile(&samples, 0.99);
    let max = *samples.last().unwrap();
    println!(
        "  {what}: n={} p50={:.1} ms p99={:.1} ms max={:.1} ms (target p99 ≤ {} ms) {}",
        samples.len(),
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0,
        max.as_secs_f64() * 1000.0,
        target.as_millis(),
        if p99 <= target { "MET" } else { "MISSED" }
    );
}

/// GETs `url`, reading the whole body; returns how long that took and the body.
async fn get(client: &reqwest::Client, url: &str) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let response = client.get(url).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    let body = response.bytes().await.unwrap();
    (started.elapsed(), body.to_vec())
}

async fn run(database: Database) {
    let app = TestApp::builder()
        .database(database)
        .services(&[piazza_booking::SERVICE, piazza_scheduler::SERVICE])
        .settings(|s| s.scheduler().jobs_enabled = false)
        .spawn()
        .await;
    let started = Instant::now();
    let season = season_of_10_000(&app).await;
    println!(
        "{database:?}: season of {} occurrences set up in {:.1} s",
        SERIES * PER_SERIES,
        started.elapsed().as_secs_f64()
    );
    let client = piazza_e2e::http();

    // One month, page by page.
    let mut samples = Vec::new();
    let mut walks = Vec::new();
    let mut items = 0;
    for _ in 0..MONTH_ROUNDS {
        let walk = Instant::now();
        let mut cursor: Option<String> = None;
        items = 0;
        loop {
            let mut url = app.url("/api/v1/events?from=2027-05-01&to=2027-05-31&limit=500");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let (took, body) = get(&client, &url).await;
            samples.push(took);
            let page: Value = serde_json::from_slice(&body).unwrap();
            items += page["items"].as_array().unwrap().len();
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        walks.push(walk.elapsed());
    }
    println!("  one month = {items} occurrences in pages of 500");
    report(
        "month listing, per page request",
        samples,
        Duration::from_millis(20),
    );
    walks.sort();
    println!(
        "  month listing, all pages: p50={:.1} ms p99={:.1} ms",
        percentile(&walks, 0.5).as_secs_f64() * 1000.0,
        percentile(&walks, 0.99).as_secs_f64() * 1000.0
    );

    // The same month as the public calendar page (HTML, month grid): what a visitor waits for.
    let page = app.url("/?view=month&date=2027-05-01");
    let mut samples = Vec::new();
    for _ in 0..MONTH_ROUNDS {
        let (took, body) = get(&client, &page).await;
        assert!(String::from_utf8_lossy(&body).contains("maggio 2027"));
        samples.push(took);
    }
    report(
        "calendar page, month view (HTML)",
        samples,
        Duration::from_millis(150),
    );

    // The whole season as iCalendar: written once, then served for its ETag while nothing
    // changes (as for calendar clients polling); the first request shows the cost of writing it.
    let feed = app.url(&format!("/calendar.ics?season_id={season}"));
    let (first, body) = get(&client, &feed).await;
    println!(
        "  full-season calendar.ics, first request (written): {:.1} ms, {:.1} MB",
        first.as_secs_f64() * 1000.0,
        body.len() as f64 / 1_000_000.0
    );
    let mut samples = Vec::new();
    for _ in 0..FEED_ROUNDS {
        let (took, again) = get(&client, &feed).await;
        assert_eq!(again.len(), body.len());
        samples.push(took);
    }
    report(
        "full-season calendar.ics, steady state",
        samples,
        Duration::from_millis(100),
    );
    // Written afresh each time: the season changes between requests.
    let admin = app.admin().await;
    let (_, listing) = app
        .get(
            &format!("/api/v1/events?season_id={season}&from=2027-01-01&limit=1"),
            None,
        )
        .await;
    let event = listing["items"][0]["event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut samples = Vec::new();
    for n in 0..FEED_ROUNDS / 4 {
        let (status, _) = app
            .patch(
                &format!("/api/v1/events/{event}"),
                Some(&admin),
                &json!({ "accessibility_notes": format!("Rampa {n}") }),
            )
            .await;
        assert!(status.is_success());
        let (took, _) = get(&client, &feed).await;
        samples.push(took);
    }
    report(
        "full-season calendar.ics, written afresh after each change",
        samples,
        Duration::from_millis(100),
    );
    app.stop().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!(
            "calendar benchmark ({} series × {} occurrences)",
            SERIES, PER_SERIES
        );
        run(Database::Sqlite).await;
        run(Database::Postgres).await;
    });
}
