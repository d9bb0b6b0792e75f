//! Cron jobs driven with an explicit clock: each firing runs once — across restarts (one missed
//! while stopped runs late, once), across replicas (one holds the lock), and across clock
//! changes (a repeated local hour fires once, a skipped one fires when the clock jumps past it).
//! Reminders go once per occurrence and again when it moves; past events are completed.

use super::{BOOKING_AND_SCHEDULER, Tap, expect, published, scheduler_state, season};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Europe::Rome;
use piazza_e2e::{ServiceSections, app::TestApp, infra, unique_name};
use piazza_scheduler::{
    jobs::{Job, Tick, tick},
    state::AppState,
};
use piazza_shared::{
    auth::Keys,
    bus::outbox::{self, Outbox},
    contracts::jobs::{DigestDue, ReminderDue},
    db::Db,
    runtime::Application,
    secret::Secret,
    settings::Settings,
};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Rome.with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Settings for a scheduler of the test's own on PostgreSQL and RabbitMQ, jobs not running by
/// themselves.
fn settings(dir: &std::path::Path) -> Settings {
    let name = unique_name();
    let mut settings = Settings::from_toml("", piazza_scheduler::config::SECTIONS).unwrap();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.data_dir = dir.to_path_buf();
    settings.secret_key = Some(Secret::new(piazza_e2e::deploy::SECRET.to_string()));
    settings.database_url = Some(Secret::new(piazza_e2e::database_url()));
    settings.database_schema_prefix = format!("{name}_");
    settings.database_max_connections = 3;
    settings.amqp_url = Some(Secret::new(piazza_e2e::amqp_url()));
    settings.bus.namespace = name.clone();
    settings.bus.queue_prefix = format!("{name}.");
    settings.bus.outbox_poll_ms = 200;
    settings.scheduler().jobs_enabled = false;
    settings
}

/// One scheduler process.
struct Process {
    shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
    state: AppState,
}

impl Process {
    async fn start(settings: &Settings) -> Self {
        let app = Application::build(
            settings.clone(),
            &[piazza_scheduler::SERVICE],
            &piazza_e2e::app::ALL,
        )
        .await
        .unwrap();
        let shutdown = app.shutdown_token();
        let task = tokio::spawn(app.run_until_stopped());
        Self {
            shutdown,
            task,
            state: state(settings).await,
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.unwrap().unwrap();
        self.state.db.close().await;
    }
}

/// What a process's jobs see of its database, as the process builds it.
async fn state(settings: &Settings) -> AppState {
    let db = Db::connect(settings, "scheduler").await.unwrap();
    piazza_migrations::migrate_service("scheduler", &db)
        .await
        .unwrap();
    AppState::new(
        db,
        Outbox::new("scheduler"),
        Keys::from_settings(settings).unwrap(),
        Arc::new(piazza_scheduler::config::Settings::new(Arc::new(settings.clone())).unwrap()),
    )
}

async fn tidy(settings: &Settings) {
    infra::drop_schemas(&settings.database_schema_prefix).await;
    infra::delete_broker_objects(
        &piazza_e2e::amqp_url(),
        &settings.bus.namespace,
        &settings.bus.queue_prefix,
    )
    .await;
}

fn wall(outcome: &Tick) -> String {
    match outcome {
        Tick::Ran { wall, .. } => wall.format("%Y-%m-%dT%H:%M").to_string(),
        other => format!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_firing_runs_once_across_restarts_and_one_missed_while_stopped_runs_late() {
    let dir = tempfile::tempdir().unwrap();
    let settings = settings(dir.path());
    let first = Process::start(&settings).await;
    let tap = Tap::on(&settings.bus).await;
    // Monday 1 March 2027, 08:00 in Rome: counting starts; at 09:00:30 the digest is due.
    assert_eq!(
        tick(&first.state, Job::Digest, rome(2027, 3, 1, 8, 0))
            .await
            .unwrap(),
        Tick::Baseline
    );
    let ran = tick(
        &first.state,
        Job::Digest,
        rome(2027, 3, 1, 9, 0) + chrono::Duration::seconds(30),
    )
    .await
    .unwrap();
    assert_eq!(wall(&ran), "2027-03-01T09:00");
    let again = tick(&first.state, Job::Digest, rome(2027, 3, 1, 9, 1))
        .await
        .unwrap();
    assert_eq!(again, Tick::Idle);
    first.stop().await;

    // Restarted five minutes later: nothing runs again.
    let second = Process::start(&settings).await;
    assert_eq!(
        tick(&second.state, Job::Digest, rome(2027, 3, 1, 9, 5))
            .await
            .unwrap(),
        Tick::Idle
    );
    second.stop().await;

    // Stopped over the next Monday morning: the missed digest runs late, once.
    let third = Process::start(&settings).await;
    let late = tick(&third.state, Job::Digest, rome(2027, 3, 9, 10, 0))
        .await
        .unwrap();
    assert_eq!(wall(&late), "2027-03-08T09:00");
    assert_eq!(
        tick(&third.state, Job::Digest, rome(2027, 3, 9, 10, 1))
            .await
            .unwrap(),
        Tick::Idle
    );
    // Stopped for three weeks: the latest firing runs, standing for the two before it.
    let long = tick(&third.state, Job::Digest, rome(2027, 4, 1, 12, 0))
        .await
        .unwrap();
    assert_eq!(wall(&long), "2027-03-29T09:00");
    assert!(matches!(long, Tick::Ran { superseded: 2, .. }), "{long:?}");

    let digests = piazza_e2e::eventually("three digests on the bus", super::WAIT, || {
        let all = tap.all::<DigestDue>();
        async move { (all.len() >= 3).then_some(all) }
    })
    .await;
    let windows: Vec<(String, String)> = digests
        .iter()
        .map(|d| (d.window_start.to_rfc3339(), d.window_end.to_rfc3339()))
        .collect();
    assert_eq!(
        windows,
        [
            (
                "2027-03-01T08:00:00+00:00".to_string(),
                "2027-03-08T08:00:00+00:00".to_string()
            ),
            (
                "2027-03-08T08:00:00+00:00".into(),
                "2027-03-15T08:00:00+00:00".into()
            ),
            // After the clocks went forward, 09:00 is 07:00 UTC.
            (
                "2027-03-29T07:00:00+00:00".into(),
                "2027-04-05T07:00:00+00:00".into()
            ),
        ]
    );
    let mut runs: Vec<_> = digests.iter().map(|d| d.run_id).collect();
    runs.dedup();
    assert_eq!(runs.len(), 3);
    third.stop().await;
    drop(tap);
    tidy(&settings).await;
}

async fn digests_waiting(db: &Db) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    outbox::entity::Entity::find()
        .filter(outbox::entity::Column::EventType.eq("piazza.digest.due"))
        .count(db.conn())
        .await
        .unwrap() as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_replicas_only_one_runs_each_firing() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings(dir.path());
    settings.scheduler().digest_cron = "0 0 * * * *".into();
    // Two replicas: their own connection pools on one schema; no relay, so the outbox keeps
    // every message written.
    let one = state(&settings).await;
    let two = state(&settings).await;
    assert_eq!(
        tick(&one, Job::Digest, rome(2027, 5, 3, 7, 30))
            .await
            .unwrap(),
        Tick::Baseline
    );
    let mut ran = 0;
    for hour in 8..14 {
        let now = rome(2027, 5, 3, hour, 0) + chrono::Duration::seconds(1);
        let (a, b) = tokio::join!(tick(&one, Job::Digest, now), tick(&two, Job::Digest, now));
        let outcomes = [a.unwrap(), b.unwrap()];
        ran += outcomes
            .iter()
            .filter(|o| matches!(o, Tick::Ran { .. }))
            .count();
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Tick::Ran { .. } | Tick::Busy | Tick::Idle)),
            "{outcomes:?}"
        );
    }
    assert_eq!(ran, 6, "each hour ran once");
    assert_eq!(digests_waiting(&one.db).await, 6);
    one.db.close().await;
    two.db.close().await;
    tidy(&settings).await;
}

#[tokio::test]
async fn a_repeated_local_hour_fires_once_and_a_skipped_one_fires_when_the_clock_jumps() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::from_toml("", piazza_scheduler::config::SECTIONS).unwrap();
    settings.data_dir = dir.path().to_path_buf();
    settings.scheduler().digest_cron = "0 30 2 * * *".into();
    let state = state(&settings).await;
    // Autumn: 02:30 on 31 October 2027 happens at 00:30 and again at 01:30 UTC.
    assert_eq!(
        tick(&state, Job::Digest, utc("2027-10-30T10:00:00Z"))
            .await
            .unwrap(),
        Tick::Baseline
    );
    let first = tick(&state, Job::Digest, utc("2027-10-31T00:35:00Z"))
        .await
        .unwrap();
    assert_eq!(wall(&first), "2027-10-31T02:30");
    assert_eq!(
        tick(&state, Job::Digest, utc("2027-10-31T01:35:00Z"))
            .await
            .unwrap(),
        Tick::Idle
    );
    let next = tick(&state, Job::Digest, utc("2027-11-01T01:35:00Z"))
        .await
        .unwrap();
    assert_eq!(wall(&next), "2027-11-01T02:30");
    assert_eq!(digests_waiting(&state.db).await, 2);

    // Spring: on 28 March 2028 there is no 02:30; it fires as the clock jumps to 03:00.
    let before = tick(&state, Job::Digest, utc("2028-03-26T00:59:00Z"))
        .await
        .unwrap();
    assert_eq!(wall(&before), "2028-03-25T02:30");
    assert_eq!(
        tick(&state, Job::Digest, utc("2028-03-26T00:59:59Z"))
            .await
            .unwrap(),
        Tick::Idle
    );
    let jumped = tick(&state, Job::Digest, utc("2028-03-26T01:00:01Z"))
        .await
        .unwrap();
    assert_eq!(wall(&jumped), "2028-03-26T02:30");
    assert_eq!(
        tick(&state, Job::Digest, utc("2028-03-26T05:00:00Z"))
            .await
            .unwrap(),
        Tick::Idle
    );
    state.db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_go_once_per_occurrence_and_again_after_a_move_and_past_events_complete() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .settings(|s| s.scheduler().jobs_enabled = false)
        .spawn()
        .await;
    let tap = Tap::start(&app).await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let series = published(
        &app,
        &admin,
        json!({
            "season_id": season, "title": "Scacchi", "categories": ["other"],
            "starts_at": "2027-04-06T18:00:00+02:00", "ends_at": "2027-04-06T20:00:00+02:00",
            "recurrence": "FREQ=WEEKLY;COUNT=3"
        }),
    )
    .await;
    let id = series["id"].as_str().unwrap().to_string();
    let occurrences: Vec<String> = (0..3)
        .map(|i| series["occurrences"][i]["id"].as_str().unwrap().to_string())
        .collect();
    // A draft at the same time is nobody's business yet.
    super::event(&app, &admin, json!({ "title": "Bozza", "categories": ["other"], "starts_at": "2027-04-06T18:00:00+02:00", "ends_at": "2027-04-06T19:00:00+02:00" })).await;
    // A pathway's session is reminded as the pathway.
    let pathway = expect(
        &app,
        "/api/v1/programmes",
        Some(&admin),
        json!({ "season_id": season, "name": "Percorso Ponte", "kind": "pathway" }),
        StatusCode::CREATED,
    )
    .await;
    published(&app, &admin, json!({
        "season_id": season, "programme_id": pathway["id"], "title": "Sessione", "categories": ["socio_educational"],
        "starts_at": "2027-04-06T10:00:00+02:00", "ends_at": "2027-04-06T12:00:00+02:00"
    }))
    .await;
    expect(
        &app,
        &format!("/api/v1/events/{id}/occurrences/{}/cancel", occurrences[1]),
        Some(&admin),
        json!({ "reason": "Festa" }),
        StatusCode::OK,
    )
    .await;

    let state = scheduler_state(&app).await;
    assert_eq!(
        tick(&state, Job::Reminders, utc("2027-04-04T12:00:00Z"))
            .await
            .unwrap(),
        Tick::Baseline
    );
    let ran = tick(&state, Job::Reminders, utc("2027-04-05T16:05:00Z"))
        .await
        .unwrap();
    assert!(
        matches!(&ran, Tick::Ran { detail, .. } if detail.starts_with("2 reminder")),
        "{ran:?}"
    );
    assert!(
        matches!(tick(&state, Job::Reminders, utc("2027-04-05T16:10:00Z")).await.unwrap(), Tick::Ran { ref detail, .. } if detail.starts_with("0 reminder"))
    );
    // Moved an hour later, it is reminded again.
    let (status, _) = app
        .patch(
            &format!("/api/v1/events/{id}/occurrences/{}", occurrences[0]),
            Some(&admin),
            &json!({ "starts_at": "2027-04-06T19:00:00+02:00", "ends_at": "2027-04-06T21:00:00+02:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let moved = tick(&state, Job::Reminders, utc("2027-04-05T17:05:00Z"))
        .await
        .unwrap();
    assert!(
        matches!(&moved, Tick::Ran { detail, .. } if detail.starts_with("1 reminder")),
        "{moved:?}"
    );
    // The cancelled second occurrence is not reminded; the third is.
    tick(&state, Job::Reminders, utc("2027-04-12T16:30:00Z"))
        .await
        .unwrap();
    tick(&state, Job::Reminders, utc("2027-04-19T16:30:00Z"))
        .await
        .unwrap();
    let reminders = piazza_e2e::eventually("four reminders", super::WAIT, || {
        let all = tap.all::<ReminderDue>();
        async move { (all.len() >= 4).then_some(all) }
    })
    .await;
    let mut seen: Vec<(String, String)> = reminders
        .iter()
        .map(|r| (r.event.title.clone(), r.occurrence.starts_at.to_rfc3339()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "Percorso Ponte".to_string(),
                "2027-04-06T08:00:00+00:00".to_string()
            ),
            ("Scacchi".into(), "2027-04-06T16:00:00+00:00".into()),
            ("Scacchi".into(), "2027-04-06T17:00:00+00:00".into()),
            ("Scacchi".into(), "2027-04-20T16:00:00+00:00".into()),
        ]
    );
    assert_eq!(reminders.len(), 4, "no reminder twice: {seen:?}");
    let session = reminders
        .iter()
        .find(|r| r.event.title == "Percorso Ponte")
        .unwrap();
    assert_eq!(
        session.event.event_id.to_string(),
        pathway["id"].as_str().unwrap()
    );

    // Once every occurrence is over, the event is completed; the draft is not.
    assert_eq!(
        tick(&state, Job::Completion, utc("2027-04-01T00:00:00Z"))
            .await
            .unwrap(),
        Tick::Baseline
    );
    tick(&state, Job::Completion, utc("2027-04-21T01:30:00Z"))
        .await
        .unwrap();
    let (_, done) = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert_eq!(done["status"], "completed");
    state.db.close().await;
    app.stop().await;
}
