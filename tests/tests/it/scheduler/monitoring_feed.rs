//! What the scheduler and booking send for the monitoring, on the embedded default (read from the
//! services' outboxes, [`OutboxTap`]: the in-process bus keeps nothing) and on PostgreSQL and
//! RabbitMQ (a queue of the test's own, [`Tap`]):
//! - a registration with a birth year carries its age band; the year itself is stored nowhere;
//! - a season's creation and every change of it are announced;
//! - a resync request gets events (published, cancelled, with an occurrence cancelled on its
//!   own), registrations, seasons and the events' holds of spaces (with the space's funding
//!   line) back as they stand, and the scheduler's own copy of the operators' bookings takes no
//!   event's hold from the answer.

use super::{BOOKING_AND_SCHEDULER, Tap, WAIT, ask_for_resync, event, event_when, expect, fields};
use chrono::Datelike;
use piazza_e2e::{
    app::TestApp,
    clock::{self, day_ahead, rome},
    eventually,
    outbox_tap::OutboxTap,
};
use piazza_shared::{
    Envelope, Message,
    contracts::{
        FundingLine,
        pathway::AgeBand,
        registration::RegistrationConfirmed,
        resync::{
            BookingSnapshot, EVENTS, EventSnapshot, HELD, HOLDS, REGISTRATIONS,
            RegistrationSnapshot, SEASONS,
        },
        season::SeasonChanged,
    },
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

/// Where a test hears what the services send.
enum Heard {
    Bus(Tap),
    Outbox(OutboxTap),
}

impl Heard {
    async fn start(app: &TestApp) -> Self {
        if app.settings.amqp_url.is_some() {
            let keys = vec!["registration.*", "season.*", "event.*", "booking.*"];
            Heard::Bus(Tap::queue(&app.settings.bus, "monitoring", keys).await)
        } else {
            Heard::Outbox(OutboxTap::start(app, &["booking", "scheduler"]).await)
        }
    }

    /// Every message of type `M` so far, with its envelope's id.
    async fn all<M: Message>(&self) -> Vec<(Uuid, M)> {
        let envelopes: Vec<Envelope> = match self {
            Heard::Bus(tap) => tap.envelopes(),
            Heard::Outbox(tap) => tap.envelopes().await,
        };
        envelopes
            .into_iter()
            .filter(|e| e.event_type == M::TYPE)
            .map(|e| (e.id, e.decode::<M>().unwrap()))
            .collect()
    }

    /// Waits for a message of type `M` that `matches`.
    async fn wait<M: Message>(&self, what: &str, matches: impl Fn(&M) -> bool) -> (Uuid, M) {
        let matches = &matches;
        eventually(what, WAIT, || async move {
            self.all::<M>().await.into_iter().find(|(_, m)| matches(m))
        })
        .await
    }
}

fn embedded() -> impl std::future::Future<Output = TestApp> {
    TestApp::builder().spawn()
}

fn distributed() -> impl std::future::Future<Output = TestApp> {
    TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
}

/// A published event without a space on `day_ahead()`; returns its id.
async fn published_event(app: &TestApp, admin: &str, title: &str, extra: Value) -> String {
    let day = day_ahead();
    let mut body = json!({
        "title": title, "categories": ["workshop"], "capacity": 10,
        "starts_at": rome(day, "17:00"), "ends_at": rome(day, "19:00"),
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let created = event(app, admin, body).await;
    let id = created["id"].as_str().unwrap().to_string();
    expect(
        app,
        &format!("/api/v1/events/{id}/publish"),
        Some(admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    id
}

fn this_year() -> i32 {
    clock::now().year()
}

// --- A birth year becomes an age band -------------------------------------------------------

async fn a_birth_year_travels_as_its_age_band_only(app: TestApp) {
    let heard = Heard::start(&app).await;
    let admin = app.admin().await;
    let id = published_event(&app, &admin, "Laboratorio di rap", json!({})).await;
    let path = format!("/api/v1/events/{id}/registrations");
    let year = this_year();
    let born = year - 16;

    // Not in the future, not implausibly long ago.
    for wrong in [year + 1, year - 121] {
        let problem = expect(
            &app,
            &path,
            None,
            json!({ "email": "sara@example.org", "name": "Sara", "birth_year": wrong }),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&problem), ["birth_year"], "{problem}");
    }
    let sara = expect(
        &app,
        &path,
        None,
        json!({ "email": "sara@example.org", "name": "Sara", "birth_year": born }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sara["status"], "confirmed", "{sara}");
    let (_, confirmed) = heard
        .wait::<RegistrationConfirmed>("Sara confirmed", |m| {
            m.0.registration.email == "sara@example.org"
        })
        .await;
    assert_eq!(
        confirmed.0.registration.age_band,
        Some(AgeBand::From14To17),
        "born {born}, in {year}"
    );
    assert_eq!(AgeBand::of(born, year), AgeBand::From14To17);
    // Without a birth year: no band.
    expect(
        &app,
        &path,
        None,
        json!({ "email": "leo@example.org", "name": "Leo" }),
        StatusCode::CREATED,
    )
    .await;
    let (_, leo) = heard
        .wait::<RegistrationConfirmed>("Leo confirmed", |m| {
            m.0.registration.email == "leo@example.org"
        })
        .await;
    assert_eq!(leo.0.registration.age_band, None);

    // The row keeps the band; the year is nowhere in it.
    let db = app.db("scheduler").await;
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT * FROM registrations WHERE email = 'sara@example.org'",
        ))
        .await
        .unwrap();
    let row = row.expect("Sara's row");
    let band: Option<String> = row.try_get("", "age_band").unwrap();
    assert_eq!(band.as_deref(), Some("14_17"));
    let columns = row.column_names();
    assert!(!columns.iter().any(|c| c.contains("birth")), "{columns:?}");
    for column in &columns {
        if let Ok(Some(value)) = row.try_get::<Option<String>>("", column) {
            assert!(!value.contains(&born.to_string()), "{column}: {value}");
        }
        if let Ok(Some(value)) = row.try_get::<Option<i64>>("", column) {
            assert_ne!(value, i64::from(born), "{column}");
        }
        if let Ok(Some(value)) = row.try_get::<Option<i32>>("", column) {
            assert_ne!(value, born, "{column}");
        }
    }
    db.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_birth_year_travels_as_its_age_band_only_on_the_embedded_default() {
    a_birth_year_travels_as_its_age_band_only(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_birth_year_travels_as_its_age_band_only_on_postgres_and_rabbitmq() {
    a_birth_year_travels_as_its_age_band_only(distributed().await).await;
}

// --- Seasons are announced -------------------------------------------------------------------

/// A season around `day_ahead()`; returns its id.
async fn a_season(app: &TestApp, admin: &str, name: &str) -> String {
    let day = day_ahead();
    let season = expect(
        app,
        "/api/v1/seasons",
        Some(admin),
        json!({
            "name": name,
            "starts_on": (day - chrono::Duration::days(10)).to_string(),
            "ends_on": (day + chrono::Duration::days(60)).to_string(),
        }),
        StatusCode::CREATED,
    )
    .await;
    season["id"].as_str().unwrap().to_string()
}

async fn every_change_of_a_season_is_announced(app: TestApp) {
    let heard = Heard::start(&app).await;
    let admin = app.admin().await;
    let id = a_season(&app, &admin, "Stagione d'inverno").await;
    let season: Uuid = id.parse().unwrap();
    let (_, created) = heard
        .wait::<SeasonChanged>("the new season", |m| m.season_id == season)
        .await;
    assert_eq!(created.name, "Stagione d'inverno");
    assert_eq!(created.status, "planning");
    assert_eq!(created.starts_on, day_ahead() - chrono::Duration::days(10));
    assert_eq!(created.ends_on, day_ahead() + chrono::Duration::days(60));

    let longer = day_ahead() + chrono::Duration::days(90);
    let (status, answer) = app
        .patch(
            &format!("/api/v1/seasons/{id}"),
            Some(&admin),
            &json!({ "name": "Inverno in piazza", "ends_on": longer.to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, renamed) = heard
        .wait::<SeasonChanged>("the renamed season", |m| {
            m.season_id == season && m.name == "Inverno in piazza"
        })
        .await;
    assert_eq!(renamed.ends_on, longer);
    expect(
        &app,
        &format!("/api/v1/seasons/{id}/publish"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    heard
        .wait::<SeasonChanged>("the published season", |m| {
            m.season_id == season && m.status == "published"
        })
        .await;
    // A refused change says nothing.
    let (status, _) = app
        .patch(
            &format!("/api/v1/seasons/{id}"),
            Some(&admin),
            &json!({ "ends_on": "not a date" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = heard.all::<SeasonChanged>().await;
    assert_eq!(said.len(), 3, "{said:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_of_a_season_is_announced_on_the_embedded_default() {
    every_change_of_a_season_is_announced(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_of_a_season_is_announced_on_postgres_and_rabbitmq() {
    every_change_of_a_season_is_announced(distributed().await).await;
}

// --- A resync request is answered ------------------------------------------------------------

async fn a_resync_gets_what_stands_and_the_planner_takes_no_hold(app: TestApp) {
    let heard = Heard::start(&app).await;
    let admin = app.admin().await;
    let season = a_season(&app, &admin, "Stagione della musica").await;
    let space = expect(
        &app,
        "/api/v1/spaces",
        Some(&admin),
        json!({
            "name": "Sala Rossa", "building": "Palazzo Affaitati",
            "address": "Via Ugolani Dati 4, Cremona", "kind": "hall", "capacity": 100,
            "equipment": [], "accessibility": [], "time_zone": "Europe/Rome",
            "opening_hours": [], "funding": "fesr"
        }),
        StatusCode::CREATED,
    )
    .await;
    let space = space["id"].as_str().unwrap().to_string();
    let day = day_ahead();
    // A concert in the space: the space is held for it (and booking says so with the line).
    let concert = event(
        &app,
        &admin,
        json!({
            "title": "Concerto", "categories": ["music"], "space_id": space, "capacity": 50,
            "season_id": season, "funding_line": "fse_plus",
            "starts_at": rome(day, "21:00"), "ends_at": rome(day, "23:00"),
        }),
    )
    .await;
    let concert = concert["id"].as_str().unwrap().to_string();
    event_when(&app, &admin, &concert, "the space held", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    expect(
        &app,
        &format!("/api/v1/events/{concert}/publish"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let concert_id: Uuid = concert.parse().unwrap();
    let (_, approved) = heard
        .wait::<piazza_shared::contracts::booking::BookingApproved>("the hold approved", |m| {
            m.booking.event_id == Some(concert_id)
        })
        .await;
    assert_eq!(approved.booking.funding_line, Some(FundingLine::Fesr));
    // A registration with a band; a weekly workshop with its second date cancelled; an event
    // called off.
    let registration = expect(
        &app,
        &format!("/api/v1/events/{concert}/registrations"),
        None,
        json!({ "email": "ivo@example.org", "name": "Ivo", "birth_year": this_year() - 20 }),
        StatusCode::CREATED,
    )
    .await;
    let registration: Uuid = registration["id"].as_str().unwrap().parse().unwrap();
    let weekly = published_event(
        &app,
        &admin,
        "Laboratorio settimanale",
        json!({ "recurrence": "FREQ=WEEKLY;COUNT=3" }),
    )
    .await;
    let (_, view) = app
        .get(&format!("/api/v1/events/{weekly}"), Some(&admin))
        .await;
    let dates: Vec<Uuid> = view["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(dates.len(), 3, "{view}");
    expect(
        &app,
        &format!("/api/v1/events/{weekly}/occurrences/{}/cancel", dates[1]),
        Some(&admin),
        json!({ "reason": "Sala allagata" }),
        StatusCode::OK,
    )
    .await;
    let gone = published_event(&app, &admin, "Mostra annullata", json!({})).await;
    expect(
        &app,
        &format!("/api/v1/events/{gone}/cancel"),
        Some(&admin),
        json!({ "reason": "Maltempo" }),
        StatusCode::OK,
    )
    .await;
    // A draft is nobody's business.
    let draft = event(
        &app,
        &admin,
        json!({
            "title": "Bozza", "categories": ["other"],
            "starts_at": rome(day, "10:00"), "ends_at": rome(day, "11:00"),
        }),
    )
    .await;
    let draft: Uuid = draft["id"].as_str().unwrap().parse().unwrap();

    // The monitoring asks (its request goes through the scheduler's outbox onto the bus).
    ask_for_resync(&app, &[EVENTS, REGISTRATIONS, SEASONS, HOLDS]).await;
    let scheduler_db = app.db("scheduler").await;

    // Events as they stand.
    let (_, snapshot) = heard
        .wait::<EventSnapshot>("the concert", |m| m.event.event_id == concert_id)
        .await;
    assert_eq!(snapshot.status, "published");
    assert_eq!(snapshot.event.occurrences.len(), 1);
    assert_eq!(snapshot.event.funding_line, Some(FundingLine::FsePlus));
    assert_eq!(snapshot.event.season_id, Some(season.parse().unwrap()));
    assert!(snapshot.cancelled_occurrence_ids.is_empty());
    let weekly_id: Uuid = weekly.parse().unwrap();
    let (_, snapshot) = heard
        .wait::<EventSnapshot>("the weekly workshop", |m| m.event.event_id == weekly_id)
        .await;
    assert_eq!(snapshot.status, "published");
    assert_eq!(snapshot.cancelled_occurrence_ids, [dates[1]]);
    let left: Vec<Uuid> = snapshot
        .event
        .occurrences
        .iter()
        .map(|o| o.occurrence_id)
        .collect();
    assert_eq!(left, [dates[0], dates[2]]);
    let gone_id: Uuid = gone.parse().unwrap();
    let (_, snapshot) = heard
        .wait::<EventSnapshot>("the cancelled event", |m| m.event.event_id == gone_id)
        .await;
    assert_eq!(snapshot.status, "cancelled");
    // Registrations, with their band.
    let (_, snapshot) = heard
        .wait::<RegistrationSnapshot>("Ivo's registration", |m| {
            m.change.registration.registration_id == registration
        })
        .await;
    assert_eq!(snapshot.status, "confirmed");
    assert_eq!(snapshot.change.event.event_id, concert_id);
    assert_eq!(
        snapshot.change.registration.age_band,
        Some(AgeBand::From18To24)
    );
    // Seasons: announced again.
    let season_id: Uuid = season.parse().unwrap();
    eventually("the season again", WAIT, || async {
        let said = heard.all::<SeasonChanged>().await;
        (said
            .iter()
            .filter(|(_, m)| m.season_id == season_id)
            .count()
            == 2)
            .then_some(())
    })
    .await;
    // The concert's hold, with its space's line.
    let (held_id, held) = heard
        .wait::<BookingSnapshot>("the concert's hold", |m| {
            m.booking.event_id == Some(concert_id)
        })
        .await;
    assert_eq!(held.status, HELD);
    assert_eq!(held.booking.funding_line, Some(FundingLine::Fesr));
    assert_eq!(held.booking.space_id.to_string(), space);
    // Nothing for the draft.
    assert!(
        !heard
            .all::<EventSnapshot>()
            .await
            .iter()
            .any(|(_, m)| m.event.event_id == draft)
    );

    // The scheduler handles the hold's snapshot, and its copy of the operators' bookings takes
    // nothing from it.
    let hold_ids: Vec<Uuid> = held.booking.dates.iter().map(|d| d.booking_id).collect();
    assert!(!hold_ids.is_empty());
    eventually("the scheduler to handle the snapshot", WAIT, || async {
        let handled = scheduler_db
            .conn()
            .query_all_raw(Statement::from_string(
                scheduler_db.backend(),
                "SELECT message_id FROM inbox",
            ))
            .await
            .unwrap()
            .into_iter()
            .any(|row| row.try_get::<Uuid>("", "message_id").unwrap() == held_id);
        handled.then_some(())
    })
    .await;
    let copied = scheduler_db
        .conn()
        .query_all_raw(Statement::from_string(
            scheduler_db.backend(),
            "SELECT id FROM booked",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get::<Uuid>("", "id").unwrap())
        .filter(|id| hold_ids.contains(id))
        .count();
    assert_eq!(copied, 0, "the planner's copy took an event's hold");
    scheduler_db.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resync_gets_what_stands_and_the_planner_takes_no_hold_on_the_embedded_default() {
    a_resync_gets_what_stands_and_the_planner_takes_no_hold(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resync_gets_what_stands_and_the_planner_takes_no_hold_on_postgres_and_rabbitmq() {
    a_resync_gets_what_stands_and_the_planner_takes_no_hold(distributed().await).await;
}
