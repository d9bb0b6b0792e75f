//! The model-based test of issue 12: a seeded random workload from 16 concurrent clients —
//! spaces created (at the top or inside another), moved, re-buffered and closed; bookings made
//! once and in series (some skipping conflicts), approved, rejected and cancelled (an
//! occurrence, the following ones, the series) by operators of three organisations under a
//! weekly quota and by the administrator — on PostgreSQL and on SQLite, each with RabbitMQ.
//! Afterwards the invariants are checked from the stored data: no two live holds overlap on a
//! space; no hold without a live booking; every live booking holds exactly its space and every
//! space inside it, for its time stretched by its space's buffers; no two live bookings overlap
//! on a space or on any space above or below it; no live booking meets a closure of its space,
//! an ancestor or a descendant; no organisation past its quota; and each transition answered
//! with success published exactly one message, counted on a queue of the test's own.
//!
//! It prints its seed; `PIAZZA_MODEL_SEED=<seed>` replays one, `PIAZZA_MODEL_OPS` sets the
//! number of operations (10,000 by default, the least CI runs).

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration as Span, TimeZone, Utc};
use piazza_booking::config::Quota;
use piazza_booking::db::{bookings, closures, holds, spaces};
use piazza_e2e::{
    ServiceSections,
    app::{Database, TestApp},
    eventually,
};
use piazza_shared::{
    Envelope, Message,
    auth::Role,
    bus::{Bus, Consumer, HandleError, Subscription, amqp::AmqpBus},
    contracts::booking::{BookingApproved, BookingCancelled, BookingRejected, BookingRequested},
    secret::Secret,
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::{Value, json};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const CLIENTS: usize = 16;
const WEEKLY_HALL_HOURS: f64 = 12.0;
const ORGS: [&str; 3] = ["Arci Cremona", "Iride", "Coro Monteverdi"];

/// splitmix64: small, seedable, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// What the clients share: the spaces and bookings made so far, and the successes per kind.
#[derive(Default)]
struct World {
    spaces: Vec<String>,
    bookings: Vec<String>,
    succeeded: HashMap<&'static str, usize>,
    answers: HashMap<String, usize>,
    /// Milliseconds spent per kind of operation.
    spent: HashMap<&'static str, u128>,
    unexpected: Vec<String>,
}

struct Recorder(Arc<Mutex<Vec<Envelope>>>);

#[async_trait]
impl Consumer for Recorder {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        self.0.lock().unwrap().push(envelope);
        Ok(())
    }
}

/// The first day of the workload's window: 06:00 UTC sixty days after the clock's today, so the
/// run is the same whatever the date.
fn first_day() -> DateTime<Utc> {
    let today = piazza_shared::clock::now().date_naive();
    Utc.from_utc_datetime(&(today + Span::days(60)).and_hms_opt(6, 0, 0).unwrap())
}

/// A random instant in a three-day window from `day` (many clashes), on the half hour.
fn slot(rng: &mut Rng, day: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = day + Span::days(rng.below(3) as i64) + Span::minutes(30 * rng.below(24) as i64);
    (start, start + Span::minutes(30 * (1 + rng.below(6)) as i64))
}

async fn one_operation(
    app: &TestApp,
    admin: &str,
    operators: &[String],
    world: &Mutex<World>,
    rng: &mut Rng,
    day: DateTime<Utc>,
) {
    let (spaces_now, bookings_now) = {
        let w = world.lock().unwrap();
        (w.spaces.clone(), w.bookings.clone())
    };
    let operator = &operators[rng.below(operators.len())];
    let as_booker: &str = if rng.below(5) == 0 { admin } else { operator };
    let roll = rng.below(100);
    let began = Instant::now();
    let (kind, status, body): (&'static str, StatusCode, Value) = if roll < 4
        || spaces_now.len() < 4
    {
        let parent = if rng.below(3) == 0 {
            None
        } else {
            rng.pick(&spaces_now).cloned()
        };
        let kind = if rng.below(2) == 0 { "hall" } else { "room" };
        let (status, body) = app
            .post(
                "/api/v1/spaces",
                Some(admin),
                &json!({ "name": format!("Spazio {}", rng.next() % 10_000), "building": "Palazzo",
                         "address": "Via Solferino 1, Cremona", "kind": kind, "capacity": 200,
                         "time_zone": "Europe/Rome", "parent_id": parent }),
            )
            .await;
        if status == StatusCode::CREATED {
            world
                .lock()
                .unwrap()
                .spaces
                .push(body["id"].as_str().unwrap().to_string());
        }
        ("space", status, body)
    } else if roll < 9 {
        let space = rng.pick(&spaces_now).unwrap();
        let parent = if rng.below(4) == 0 {
            None
        } else {
            rng.pick(&spaces_now).cloned()
        };
        let (status, body) = app
            .patch(
                &format!("/api/v1/spaces/{space}"),
                Some(admin),
                &json!({ "parent_id": parent }),
            )
            .await;
        ("move", status, body)
    } else if roll < 12 {
        let space = rng.pick(&spaces_now).unwrap();
        let field = if rng.below(2) == 0 {
            "setup_minutes"
        } else {
            "teardown_minutes"
        };
        let minutes = [0, 15, 30][rng.below(3)];
        let (status, body) = app
            .patch(
                &format!("/api/v1/spaces/{space}"),
                Some(admin),
                &json!({ field: minutes }),
            )
            .await;
        ("buffer", status, body)
    } else if roll < 15 {
        let space = rng.pick(&spaces_now).unwrap();
        let (from, _) = slot(rng, day);
        let (status, body) = app
            .post(
                &format!("/api/v1/spaces/{space}/closures"),
                Some(admin),
                &json!({ "starts_at": from.to_rfc3339(), "ends_at": (from + Span::hours(1)).to_rfc3339(),
                         "reason": "Manutenzione" }),
            )
            .await;
        ("closure", status, body)
    } else if roll < 55 {
        let space = rng.pick(&spaces_now).unwrap();
        let (from, to) = slot(rng, day);
        let mut request = json!({ "space_id": space, "title": "Prova", "attendees": 5,
                                  "starts_at": from.to_rfc3339(), "ends_at": to.to_rfc3339() });
        if rng.below(4) == 0 {
            request["recurrence"] = json!("FREQ=DAILY;COUNT=3");
            request["skip_conflicts"] = json!(rng.below(2) == 0);
        }
        let (status, body) = app
            .post("/api/v1/bookings", Some(as_booker), &request)
            .await;
        if status == StatusCode::CREATED {
            let mut w = world.lock().unwrap();
            for occurrence in body["occurrences"].as_array().unwrap() {
                w.bookings
                    .push(occurrence["id"].as_str().unwrap().to_string());
            }
        }
        ("book", status, body)
    } else {
        let Some(booking) = rng.pick(&bookings_now) else {
            return;
        };
        let which = rng.below(45);
        let (kind, path, token, body) = if which < 20 {
            ("approve", "approve", admin, json!({}))
        } else if which < 28 {
            (
                "reject",
                "reject",
                admin,
                json!({ "reason": "Sala riservata al Comune" }),
            )
        } else {
            let scope = ["occurrence", "following", "series"][rng.below(3)];
            (
                "cancel",
                "cancel",
                if rng.below(3) == 0 { admin } else { operator },
                json!({ "scope": scope }),
            )
        };
        let (status, answer) = app
            .post(
                &format!("/api/v1/bookings/{booking}/{path}"),
                Some(token),
                &body,
            )
            .await;
        (kind, status, answer)
    };
    let mut w = world.lock().unwrap();
    *w.spent.entry(kind).or_default() += began.elapsed().as_millis();
    *w.answers
        .entry(format!("{kind} {}", status.as_u16()))
        .or_default() += 1;
    match status {
        StatusCode::OK | StatusCode::CREATED => *w.succeeded.entry(kind).or_default() += 1,
        // Clashes and quotas (409), moves inside oneself (422), another organisation's
        // booking (403, 404).
        StatusCode::CONFLICT
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::FORBIDDEN
        | StatusCode::NOT_FOUND => {}
        other => w.unexpected.push(format!("{kind}: {other} {body}")),
    }
}

type Occupied = (DateTime<Utc>, DateTime<Utc>);

/// Every invariant, from the stored data; returns the violations found.
async fn violations(app: &TestApp, orgs: &HashMap<Uuid, String>) -> Vec<String> {
    let db = app.db("booking").await;
    let conn = db.conn();
    let mut found = Vec::new();
    let count = |sql: &'static str| {
        let statement = Statement::from_string(conn.get_database_backend(), sql);
        async move {
            conn.query_one_raw(statement)
                .await
                .unwrap()
                .unwrap()
                .try_get::<i64>("", "n")
                .unwrap()
        }
    };
    let overlapping = count(
        "SELECT count(*) AS n FROM holds a JOIN holds b ON a.space_id = b.space_id AND a.id < b.id
          AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at",
    )
    .await;
    if overlapping > 0 {
        found.push(format!(
            "{overlapping} pair(s) of holds overlap on one space"
        ));
    }
    let orphans = count(
        "SELECT count(*) AS n FROM holds h LEFT JOIN bookings b ON b.id = h.booking_id
          WHERE b.id IS NULL OR b.status NOT IN ('requested', 'approved')",
    )
    .await;
    if orphans > 0 {
        found.push(format!("{orphans} hold(s) without a live booking"));
    }

    let space_rows = spaces::Entity::find().all(conn).await.unwrap();
    let parent: HashMap<Uuid, Option<Uuid>> =
        space_rows.iter().map(|s| (s.id, s.parent_id)).collect();
    let by_id: HashMap<Uuid, &spaces::Model> = space_rows.iter().map(|s| (s.id, s)).collect();
    let above = |id: Uuid| {
        let mut chain = vec![id];
        let mut current = parent.get(&id).copied().flatten();
        while let Some(p) = current {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
            current = parent.get(&p).copied().flatten();
        }
        chain
    };
    let nested = |a: Uuid, b: Uuid| above(a).contains(&b) || above(b).contains(&a);
    let live: Vec<bookings::Model> = bookings::Entity::find()
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.status == "requested" || b.status == "approved")
        .collect();
    let occupied = |b: &bookings::Model| -> Occupied {
        let space = by_id[&b.space_id];
        (
            b.starts_at - Span::minutes(i64::from(space.setup_minutes)),
            b.ends_at + Span::minutes(i64::from(space.teardown_minutes)),
        )
    };
    let mut held: HashMap<Uuid, HashSet<(Uuid, Occupied)>> = HashMap::new();
    for h in holds::Entity::find().all(conn).await.unwrap() {
        held.entry(h.booking_id)
            .or_default()
            .insert((h.space_id, (h.starts_at, h.ends_at)));
    }
    for b in &live {
        let time = occupied(b);
        let expected: HashSet<(Uuid, Occupied)> = space_rows
            .iter()
            .filter(|s| above(s.id).contains(&b.space_id))
            .map(|s| (s.id, time))
            .collect();
        if held.get(&b.id).cloned().unwrap_or_default() != expected {
            found.push(format!(
                "live booking {} does not hold exactly its spaces for its time",
                b.id
            ));
        }
    }
    for (i, a) in live.iter().enumerate() {
        for b in &live[i + 1..] {
            let (x, y) = (occupied(a), occupied(b));
            if x.0 < y.1 && y.0 < x.1 && nested(a.space_id, b.space_id) {
                found.push(format!("live bookings {} and {} overlap", a.id, b.id));
            }
        }
    }
    for c in closures::Entity::find().all(conn).await.unwrap() {
        for b in &live {
            let t = occupied(b);
            if t.0 < c.ends_at && c.starts_at < t.1 && nested(b.space_id, c.space_id) {
                found.push(format!("live booking {} meets closure {}", b.id, c.id));
            }
        }
    }
    // Weekly hours per organisation in halls, counted in the week (Rome) where a booking starts.
    let mut hours: HashMap<(Uuid, i32, u32), f64> = HashMap::new();
    for b in &live {
        if let Some(org) = b.organisation_id
            && by_id[&b.space_id].kind == "hall"
        {
            let week = b
                .starts_at
                .with_timezone(&chrono_tz::Europe::Rome)
                .iso_week();
            *hours.entry((org, week.year(), week.week())).or_default() +=
                (b.ends_at - b.starts_at).num_minutes() as f64 / 60.0;
        }
    }
    for ((org, year, week), total) in hours {
        if total > WEEKLY_HALL_HOURS + 1e-9 {
            found.push(format!(
                "{} holds {total} h of halls in {year}-W{week}",
                orgs.get(&org).cloned().unwrap_or_default()
            ));
        }
    }
    db.close().await;
    found
}

async fn model_run(database: Database) {
    let seed: u64 = std::env::var("PIAZZA_MODEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64);
    let operations: usize = std::env::var("PIAZZA_MODEL_OPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    println!("model run on {database:?}: PIAZZA_MODEL_SEED={seed} PIAZZA_MODEL_OPS={operations}");
    let app = TestApp::builder()
        .database(database)
        .rabbitmq()
        .services(&[piazza_booking::SERVICE])
        .settings(|s| {
            s.database_max_connections = 10;
            s.booking().quotas.insert(
                "hall".into(),
                Quota {
                    hours_per_week: Some(WEEKLY_HALL_HOURS),
                    hours_per_month: None,
                },
            );
        })
        .spawn()
        .await;
    // A queue of the test's own, bound to every booking message; named as the harness's tap, so
    // it goes with the test's other queues when the app stops (thousands of messages stay in it).
    let bus = Arc::new(AmqpBus::new(
        Secret::new(piazza_e2e::amqp_url()),
        app.settings.bus.clone(),
        "model-tap",
    ));
    let subscription =
        Subscription::new(&app.settings.bus, piazza_e2e::infra::TAP, vec!["booking.*"]);
    bus.declare(&subscription).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stop = CancellationToken::new();
    {
        let (bus, recorder, token) = (bus.clone(), Arc::new(Recorder(seen.clone())), stop.clone());
        tokio::spawn(async move { bus.consume(subscription, recorder, token).await });
    }

    let admin = app.admin().await;
    let mut operators = Vec::new();
    for (i, org) in ORGS.iter().enumerate() {
        for j in 0..2 {
            operators.push(
                app.user(&format!("ops{j}@org{i}.test"), Role::Operator, Some(org))
                    .await,
            );
        }
    }
    let world = Mutex::new(World::default());
    let day = first_day();
    let started = Instant::now();
    futures::future::join_all((0..CLIENTS).map(|client| {
        let (app, admin, operators, world) = (&app, &admin, &operators, &world);
        async move {
            let mut rng = Rng(seed ^ (client as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            for _ in 0..operations.div_ceil(CLIENTS) {
                one_operation(app, admin, operators, world, &mut rng, day).await;
            }
        }
    }))
    .await;
    let elapsed = started.elapsed();
    let world = world.into_inner().unwrap();
    let mut answers: Vec<_> = world.answers.iter().collect();
    answers.sort();
    let mut spent: Vec<_> = world.spent.iter().collect();
    spent.sort();
    println!(
        "{database:?}: {operations} operations in {:.1} s; answers {answers:?}; ms per kind {spent:?}",
        elapsed.as_secs_f64()
    );
    assert!(
        world.unexpected.is_empty(),
        "seed {seed}: unexpected answers: {:?}",
        &world.unexpected[..world.unexpected.len().min(10)]
    );

    let db = app.db("booking").await;
    let org_rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT id, name FROM organisations",
        ))
        .await
        .unwrap();
    let orgs: HashMap<Uuid, String> = org_rows
        .iter()
        .map(|r| (r.try_get("", "id").unwrap(), r.try_get("", "name").unwrap()))
        .collect();
    db.close().await;
    let found = violations(&app, &orgs).await;
    assert!(
        found.is_empty(),
        "seed {seed}: {} violation(s): {:?}",
        found.len(),
        &found[..found.len().min(10)]
    );

    // One message per successful transition: `booking.requested` per booking request (a series
    // is one message), and one per approval, rejection and cancellation.
    let expected = [
        (
            BookingRequested::TYPE,
            world.succeeded.get("book").copied().unwrap_or(0),
        ),
        (
            BookingApproved::TYPE,
            world.succeeded.get("approve").copied().unwrap_or(0),
        ),
        (
            BookingRejected::TYPE,
            world.succeeded.get("reject").copied().unwrap_or(0),
        ),
        (
            BookingCancelled::TYPE,
            world.succeeded.get("cancel").copied().unwrap_or(0),
        ),
    ];
    let counts = |seen: &Mutex<Vec<Envelope>>| {
        let seen = seen.lock().unwrap();
        expected.map(|(kind, _)| {
            let ids: HashSet<Uuid> = seen
                .iter()
                .filter(|e| e.event_type == kind)
                .map(|e| e.id)
                .collect();
            (kind, ids.len())
        })
    };
    // The relay publishes thousands of messages after the workload; on a loaded machine that
    // takes a while, and the wait ends as soon as they are all there.
    let settled = eventually(
        "every message to reach the test's queue",
        Duration::from_secs(240),
        || {
            let now = counts(&seen);
            let done = now.iter().zip(&expected).all(|(a, b)| a.1 >= b.1);
            async move { done.then_some(now) }
        },
    )
    .await;
    // Give duplicates a moment to show.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let settled_again = counts(&seen);
    assert_eq!(settled, settled_again, "seed {seed}");
    assert_eq!(
        settled.to_vec(),
        expected.to_vec(),
        "seed {seed}: messages per transition"
    );
    let deliveries = seen.lock().unwrap().len();
    println!(
        "{database:?}: invariants hold; {deliveries} messages, {:?}",
        settled
    );
    stop.cancel();
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_random_workload_of_16_clients_on_postgres_keeps_every_booking_invariant() {
    model_run(Database::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_random_workload_of_16_clients_on_sqlite_keeps_every_booking_invariant() {
    model_run(Database::Sqlite).await;
}
