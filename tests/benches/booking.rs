//! Benchmarks of booking on PostgreSQL:
//! - booking requests per second from 16 concurrent HTTP clients over 100 spaces (every request
//!   a distinct free slot, so each is written; target ≥ 1,000/s), with each request's latency;
//! - the same work run by `pgbench` (16 clients) against the same schema, as the ceiling the
//!   database allows: `booking_once.sql` the one-statement path a single free slot takes,
//!   `booking_txn.sql` the checked path (series, quotas, something in the way);
//! - database round trips per booking request (the outbox relay's included), counted from
//!   sqlx's statement events;
//! - availability of one space over a six-month season holding 2,000 bookings
//!   (`GET /api/v1/spaces/{id}/availability?from=…&to=…`, target p99 ≤ 5 ms);
//! - the rate limiter: checks per second from 16 concurrent tasks and their p99, each check a
//!   distinct key (a crowd of addresses) and all on one hot key (one address hammering a login),
//!   counted in PostgreSQL (what replicas share) and in memory (the embedded form).
//!
//! Times are measured by HTTP clients in the same process, bodies read in full.
//!
//! Run: `cargo bench -p piazza-e2e --bench booking`

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use chrono::{Duration as Days, TimeZone, Utc};
use piazza_e2e::app::TestApp;
use piazza_shared::{
    http::limit::{LimitStore, MemoryStore, PostgresStore, RateLimiter},
    settings::LimitSettings,
};
use serde_json::{Value, json};
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

const CLIENTS: usize = 16;
const SPACES: usize = 100;
const REQUESTS: usize = 8_000;
const AVAILABILITY_ROUNDS: usize = 300;
const ROUND_TRIP_REQUESTS: usize = 200;
const LIMIT_CHECKS: usize = 20_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn spaces(app: &TestApp, admin: &str, count: usize, hours: Value) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for n in 0..count {
        let (status, space) = app
            .post(
                "/api/v1/spaces",
                Some(admin),
                &json!({ "name": format!("Sala {n:03}"), "building": "Palazzo Affaitati",
                         "address": "Via Ugolani Dati 4, Cremona", "kind": "room", "capacity": 50,
                         "time_zone": "Europe/Rome", "opening_hours": hours }),
            )
            .await;
        assert!(status.is_success(), "{space}");
        ids.push(space["id"].as_str().unwrap().to_string());
    }
    ids
}

/// 16 clients send `REQUESTS` booking requests as fast as they are answered.
/// Returns the spaces it made.
async fn requests_per_second(app: &TestApp, admin: &str) -> Arc<Vec<String>> {
    let ids = Arc::new(spaces(app, admin, SPACES, json!([])).await);
    let next = Arc::new(AtomicUsize::new(0));
    let first = Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap();
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (ids, next, admin) = (ids.clone(), next.clone(), admin.to_string());
            let url = app.url("/api/v1/bookings");
            tokio::spawn(async move {
                let client = piazza_e2e::http();
                let mut samples = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= REQUESTS {
                        return samples;
                    }
                    // Request n takes hour n / SPACES of space n % SPACES: never a clash.
                    let start = first + Days::hours((n / SPACES) as i64);
                    let body = json!({
                        "space_id": ids[n % SPACES], "title": "Prove del coro", "attendees": 10,
                        "starts_at": start.to_rfc3339(), "ends_at": (start + Days::minutes(50)).to_rfc3339()
                    });
                    let at = Instant::now();
                    let response = client.post(&url).bearer_auth(&admin).json(&body).send().await.unwrap();
                    let status = response.status();
                    let text = response.bytes().await.unwrap();
                    assert_eq!(status.as_u16(), 201, "{}", String::from_utf8_lossy(&text));
                    samples.push(at.elapsed());
                }
            })
        })
        .collect();
    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await.unwrap());
    }
    let elapsed = started.elapsed();
    samples.sort();
    let rate = REQUESTS as f64 / elapsed.as_secs_f64();
    println!(
        "  booking requests over HTTP: {REQUESTS} by {CLIENTS} clients over {SPACES} spaces in {:.2} s = {rate:.0} requests/s (target ≥ 1000/s) {}",
        elapsed.as_secs_f64(),
        if rate >= 1000.0 { "MET" } else { "MISSED" }
    );
    println!(
        "    latency per request: p50={:.1} ms p99={:.1} ms max={:.1} ms",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap())
    );
    ids
}

/// `script` (in `tests/benches/`) run by pgbench against the schema the service wrote.
async fn pgbench(app: &TestApp, script: &str) {
    let schema = format!("{}booking", app.settings.database_schema_prefix);
    let script = format!("{}/benches/{script}", env!("CARGO_MANIFEST_DIR"));
    println!(
        "    pgbench -M prepared -f {}:",
        script.rsplit('/').next().unwrap_or("")
    );
    let url = url::Url::parse(&piazza_e2e::database_url()).unwrap();
    let output = std::process::Command::new("pgbench")
        .env("PGOPTIONS", format!("-c search_path={schema},public"))
        .args([
            "-n",
            "-M",
            "prepared",
            "-h",
            url.host_str().unwrap_or("127.0.0.1"),
            "-p",
            &url.port().unwrap_or(5432).to_string(),
            "-U",
            if url.username().is_empty() {
                "postgres"
            } else {
                url.username()
            },
            "-c",
            &CLIENTS.to_string(),
            "-j",
            "2",
            "-T",
            "10",
            "-f",
            &script,
            url.path().trim_start_matches('/'),
        ])
        .output();
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            for line in text.lines().filter(|l| {
                l.starts_with("tps")
                    || l.starts_with("latency average")
                    || l.starts_with("number of transactions actually processed")
                    || l.starts_with("number of failed")
            }) {
                println!("    pgbench: {line}");
            }
        }
        Ok(out) => println!(
            "  pgbench failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("  pgbench not run ({e}); install the PostgreSQL client tools"),
    }
}

/// One space open 09:00–23:00 every day with 2,002 bookings (11 daily series of 182) from
/// April to September; availability over the whole season.
async fn availability(app: &TestApp, admin: &str) {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "23:00" }))
        .collect();
    let space = spaces(app, admin, 1, json!(days)).await.remove(0);
    for hour in 0..11 {
        let h = 9 + hour;
        let (status, made) = app
            .post(
                "/api/v1/bookings",
                Some(admin),
                &json!({ "space_id": space, "title": format!("Corso {hour}"), "attendees": 10,
                         "starts_at": format!("2027-04-01T{h:02}:00:00+02:00"),
                         "ends_at": format!("2027-04-01T{h:02}:45:00+02:00"),
                         "recurrence": "FREQ=DAILY;COUNT=182" }),
            )
            .await;
        assert!(status.is_success(), "{made}");
    }
    let client = piazza_e2e::http();
    let url = app.url(&format!(
        "/api/v1/spaces/{space}/availability?from=2027-04-01&to=2027-09-29"
    ));
    let mut samples = Vec::new();
    let mut slots = 0;
    for _ in 0..AVAILABILITY_ROUNDS {
        let at = Instant::now();
        let response = client.get(&url).send().await.unwrap();
        assert!(response.status().is_success());
        let bytes = response.bytes().await.unwrap();
        samples.push(at.elapsed());
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        slots = body["free"].as_array().unwrap().len();
    }
    samples.sort();
    let p99 = percentile(&samples, 0.99);
    println!(
        "  availability over six months with 2,002 bookings ({slots} free slots): n={} p50={:.2} ms p99={:.2} ms max={:.2} ms (target p99 ≤ 5 ms) {}",
        samples.len(),
        ms(percentile(&samples, 0.5)),
        ms(p99),
        ms(*samples.last().unwrap()),
        if p99 <= Duration::from_millis(5) {
            "MET"
        } else {
            "MISSED"
        }
    );
}

/// Counts the statements sqlx sends (its `sqlx::query` events, one per round trip) while
/// `COUNTING` is set; otherwise says no at the callsite, so the timed runs pay nothing.
struct Statements;

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn register_callsite(
        &self,
        metadata: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if metadata.target() == "sqlx::query" {
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(
        &self,
        metadata: &tracing::Metadata<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        metadata.target() == "sqlx::query" && COUNTING.load(Ordering::Relaxed)
    }

    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Database round trips per booking request, the outbox relay's included: one client books
/// `ROUND_TRIP_REQUESTS` free slots one after another while every statement is counted.
async fn round_trips(app: &TestApp, admin: &str, space: &str) {
    let client = piazza_e2e::http();
    let url = app.url("/api/v1/bookings");
    let first = Utc.with_ymd_and_hms(2031, 1, 6, 0, 0, 0).unwrap();
    // Let the relay drain what earlier runs left, so its statements below are for these.
    tokio::time::sleep(Duration::from_millis(500)).await;
    COUNTING.store(true, Ordering::Relaxed);
    for n in 0..ROUND_TRIP_REQUESTS {
        let start = first + Days::hours(n as i64);
        let body = json!({
            "space_id": space, "title": "Prove del coro", "attendees": 10,
            "starts_at": start.to_rfc3339(), "ends_at": (start + Days::minutes(50)).to_rfc3339()
        });
        let response = client
            .post(&url)
            .bearer_auth(admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
    }
    // The relay publishes the last ones just after their answers.
    tokio::time::sleep(Duration::from_millis(500)).await;
    COUNTING.store(false, Ordering::Relaxed);
    let counted = STATEMENTS.load(Ordering::Relaxed);
    println!(
        "  database round trips per booking request (relay included): {:.1} ({counted} statements for {ROUND_TRIP_REQUESTS} requests)",
        counted as f64 / ROUND_TRIP_REQUESTS as f64
    );
}

/// `LIMIT_CHECKS` hits from `CLIENTS` tasks on `limiter`: on distinct keys, or all on one.
async fn limiter_run(limiter: Arc<RateLimiter>, hot: bool) -> (f64, Duration) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (limiter, next) = (limiter.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= LIMIT_CHECKS {
                    return times;
                }
                let key = if hot {
                    "bench-hot".to_string()
                } else {
                    format!("bench-{i}")
                };
                let start = Instant::now();
                // A limit no run reaches: every check is counted and let through.
                limiter.hit(&key, u32::MAX).await.unwrap();
                times.push(start.elapsed());
            }
        }));
    }
    let mut times = Vec::with_capacity(LIMIT_CHECKS);
    for task in tasks {
        times.extend(task.await.unwrap());
    }
    let rate = LIMIT_CHECKS as f64 / started.elapsed().as_secs_f64();
    times.sort();
    (rate, percentile(&times, 0.99))
}

async fn limiter(app: &TestApp) {
    let db = app.db("booking").await;
    let limits = LimitSettings::default();
    let stores: [(&str, Arc<dyn LimitStore>); 2] = [
        ("PostgreSQL", Arc::new(PostgresStore::new(db.clone()))),
        ("memory", Arc::new(MemoryStore::new())),
    ];
    for (name, store) in stores {
        for hot in [false, true] {
            let limiter = Arc::new(RateLimiter::with_store(&limits, store.clone()));
            let (rate, p99) = limiter_run(limiter, hot).await;
            println!(
                "  rate limiter, {name}, {}: {rate:.0} checks/s, p99 {:.2} ms ({CLIENTS} tasks)",
                if hot { "one hot key" } else { "distinct keys" },
                ms(p99)
            );
        }
    }
    db.close().await;
}

fn main() {
    use tracing_subscriber::layer::SubscriberExt;
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Statements))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // The machine is shared: the load says how much of it the figures had.
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        println!(
            "booking benchmark on PostgreSQL ({} cores, load average {})",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
        let app = TestApp::builder()
            .postgres()
            .services(&[piazza_booking::SERVICE])
            .settings(|s| s.database_max_connections = CLIENTS as u32)
            .spawn()
            .await;
        let admin = app.admin().await;
        let ids = requests_per_second(&app, &admin).await;
        let db = app.db("booking").await;
        sea_orm::ConnectionTrait::execute_unprepared(db.conn(), "CREATE SEQUENCE bench_slot")
            .await
            .unwrap();
        db.close().await;
        pgbench(&app, "booking_once.sql").await;
        pgbench(&app, "booking_txn.sql").await;
        round_trips(&app, &admin, &ids[0]).await;
        availability(&app, &admin).await;
        limiter(&app).await;
        app.stop().await;
    });
}
