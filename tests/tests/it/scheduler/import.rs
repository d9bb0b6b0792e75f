//! Importing external calendars from a real HTTP server the test runs and rewrites: recurring
//! events with EXDATE and RECURRENCE-ID arrive, changes and removals follow, a conditional request
//! gets 304, imported events keep their UID and never duplicate, and a feed that fails or is
//! malformed is reported on its season and changes nothing.

use super::{expect, fields, season};
use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode as Code, header},
    response::{IntoResponse, Response},
    routing::get,
};
use piazza_e2e::{ServiceSections, app::TestApp};
use piazza_scheduler::jobs::{Job, Tick, tick};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// What the test's calendar server answers, and the conditional headers it was sent.
#[derive(Default)]
struct Served {
    body: String,
    version: u32,
    status: u16,
    conditional: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Served>>;

async fn calendar(State(served): State<Shared>, request: HeaderMap) -> Response {
    let mut served = served.lock().unwrap();
    let sent = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    served.conditional.push(sent.clone());
    if served.status != 200 {
        return Code::from_u16(served.status).unwrap().into_response();
    }
    let etag = format!("\"v{}\"", served.version);
    if sent.as_deref() == Some(etag.as_str()) {
        return (Code::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (header::ETAG, etag),
        ],
        served.body.clone(),
    )
        .into_response()
}

/// A calendar server on a free port; the test rewrites what it serves.
async fn serve() -> (String, Shared) {
    let served: Shared = Arc::new(Mutex::new(Served {
        status: 200,
        ..Default::default()
    }));
    let app = Router::new()
        .route("/calendar.ics", get(calendar))
        .with_state(served.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/calendar.ics", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, served)
}

fn publish(served: &Shared, events: &[&str]) {
    let mut served = served.lock().unwrap();
    served.version += 1;
    served.status = 200;
    served.body = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Biblioteca//IT\r\n{}END:VCALENDAR\r\n",
        events.concat()
    );
}

const SERIES: &str = "BEGIN:VEVENT\r\nUID:letture@biblioteca\r\nSUMMARY:Letture ad alta voce\r\nCATEGORIES:Letteratura\r\nDTSTART;TZID=Europe/Rome:20270302T180000\r\nDTEND;TZID=Europe/Rome:20270302T190000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Europe/Rome:20270309T180000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:letture@biblioteca\r\nRECURRENCE-ID;TZID=Europe/Rome:20270316T180000\r\nDTSTART;TZID=Europe/Rome:20270317T170000\r\nDTEND;TZID=Europe/Rome:20270317T180000\r\nEND:VEVENT\r\n";
const SERIES_CHANGED: &str = "BEGIN:VEVENT\r\nUID:letture@biblioteca\r\nSUMMARY:Letture ad alta voce\r\nCATEGORIES:Letteratura\r\nDTSTART;TZID=Europe/Rome:20270302T180000\r\nDTEND;TZID=Europe/Rome:20270302T190000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEXDATE;TZID=Europe/Rome:20270309T180000,20270323T180000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:letture@biblioteca\r\nRECURRENCE-ID;TZID=Europe/Rome:20270316T180000\r\nDTSTART;TZID=Europe/Rome:20270317T170000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n";
const PLAY: &str = "BEGIN:VEVENT\r\nUID:amleto@teatro\r\nSUMMARY:Amleto\r\nLOCATION:Teatro Ponchielli\\, Corso Vittorio Emanuele II 52\r\nDTSTART:20270410T190000Z\r\nDTEND:20270410T210000Z\r\nEND:VEVENT\r\n";
const PLAY_MOVED: &str = "BEGIN:VEVENT\r\nUID:amleto@teatro\r\nSUMMARY:Amleto\r\nLOCATION:Teatro Ponchielli\\, Corso Vittorio Emanuele II 52\r\nDTSTART:20270410T200000Z\r\nDTEND:20270410T220000Z\r\nEND:VEVENT\r\n";
const MUSEUM: &str = "BEGIN:VEVENT\r\nUID:mostra@museo\r\nSUMMARY:Stradivari in mostra\r\nDTSTART;VALUE=DATE:20270501\r\nDTEND;VALUE=DATE:20270502\r\nEND:VEVENT\r\n";
const OUTSIDE: &str = "BEGIN:VEVENT\r\nUID:vecchio@museo\r\nSUMMARY:Passato\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T110000Z\r\nEND:VEVENT\r\n";

/// `title local-start status` of each listed occurrence.
async fn listed(app: &TestApp, season: &str) -> Vec<String> {
    let (status, page) = app
        .get(
            &format!("/api/v1/events?season_id={season}&from=2027-01-01&limit=500"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let start = chrono::DateTime::parse_from_rfc3339(i["starts_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&chrono_tz::Europe::Rome);
            format!(
                "{} {} {}",
                i["title"].as_str().unwrap(),
                start.format("%d/%m %H:%M"),
                i["status"].as_str().unwrap()
            )
        })
        .collect()
}

async fn refresh(app: &TestApp, admin: &str, feed: &str) -> Value {
    expect(
        app,
        &format!("/api/v1/feeds/{feed}/refresh"),
        Some(admin),
        json!({}),
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn an_imported_calendar_brings_its_events_and_follows_their_changes_without_duplicates() {
    let app = TestApp::builder()
        .services(&[piazza_scheduler::SERVICE])
        .settings(|s| {
            s.scheduler().jobs_enabled = false;
            // The test's calendar server runs on this machine, which imports may not reach
            // unless allowed.
            s.scheduler().import_allowed_hosts = vec!["127.0.0.1".into()];
        })
        .spawn()
        .await;
    let admin = super::admin_token(&app);
    let season = season(&app, &admin).await;
    let (url, served) = serve().await;
    publish(&served, &[SERIES, PLAY, OUTSIDE]);
    let created = expect(
        &app,
        &format!("/api/v1/seasons/{season}/feeds"),
        Some(&admin),
        json!({ "url": url, "name": "Biblioteca Statale", "categories": ["other"], "age_min": 6 }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["outcome"], "applied", "{created}");
    assert_eq!(created["report"]["created"], 2);
    let feed = created["feed"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        listed(&app, &season).await,
        [
            "Letture ad alta voce 02/03 18:00 scheduled",
            "Letture ad alta voce 17/03 17:00 scheduled",
            "Letture ad alta voce 23/03 18:00 scheduled",
            "Amleto 10/04 21:00 scheduled",
        ]
    );
    let (_, page) = app
        .get(
            &format!("/api/v1/events?season_id={season}&from=2027-04-01"),
            None,
        )
        .await;
    let play = page["items"][0].clone();
    assert_eq!(
        play["location"],
        "Teatro Ponchielli, Corso Vittorio Emanuele II 52"
    );
    assert_eq!(play["organisation"], "Biblioteca Statale");
    assert_eq!(play["categories"], json!(["other"]));
    assert_eq!(play["age_min"], 6);
    let (_, event) = app
        .get(
            &format!("/api/v1/events/{}", play["event_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(event["source_uid"], "amleto@teatro");
    let play_occurrence = play["occurrence_id"].clone();
    // Its organiser takes the registrations.
    let (status, problem) = app
        .post(
            &format!(
                "/api/v1/events/{}/registrations",
                play["event_id"].as_str().unwrap()
            ),
            None,
            &json!({ "email": "ada@example.org", "name": "Ada" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // Asked again, the server says nothing changed: the request was conditional.
    let again = refresh(&app, &admin, &feed).await;
    assert_eq!(again["outcome"], "not_modified");
    assert_eq!(
        served
            .lock()
            .unwrap()
            .conditional
            .last()
            .unwrap()
            .as_deref(),
        Some("\"v1\"")
    );

    // The library skips another week and cancels the moved one; the play starts an hour later;
    // the museum joins.
    publish(&served, &[SERIES_CHANGED, PLAY_MOVED, MUSEUM, OUTSIDE]);
    let changed = refresh(&app, &admin, &feed).await;
    assert_eq!(changed["outcome"], "applied", "{changed}");
    assert_eq!(
        (
            changed["report"]["created"].as_u64(),
            changed["report"]["updated"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(
        listed(&app, &season).await,
        [
            "Letture ad alta voce 02/03 18:00 scheduled",
            "Letture ad alta voce 17/03 17:00 cancelled",
            "Letture ad alta voce 23/03 18:00 cancelled",
            "Amleto 10/04 22:00 scheduled",
            "Stradivari in mostra 01/05 00:00 scheduled",
        ]
    );
    let (_, page) = app
        .get(
            &format!("/api/v1/events?season_id={season}&from=2027-04-01"),
            None,
        )
        .await;
    assert_eq!(
        page["items"][0]["occurrence_id"], play_occurrence,
        "the moved play keeps its occurrence"
    );

    // Fetched by the import job; the museum leaves the feed and its event is cancelled.
    publish(&served, &[SERIES_CHANGED, PLAY_MOVED]);
    let state = super::scheduler_state(&app).await;
    let now = piazza_e2e::clock::now();
    assert_eq!(
        tick(&state, Job::Import, now).await.unwrap(),
        Tick::Baseline
    );
    let ran = tick(&state, Job::Import, now + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert!(matches!(ran, Tick::Ran { .. }), "{ran:?}");
    assert!(
        listed(&app, &season)
            .await
            .contains(&"Stradivari in mostra 01/05 00:00 cancelled".to_string())
    );

    // Malformed, then failing: reported on the season, and nothing changes.
    let before = listed(&app, &season).await;
    {
        let mut s = served.lock().unwrap();
        s.version += 1;
        s.body =
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:rotto\r\nDTSTART:20270601T100000Z\r\n".into();
    }
    let broken = refresh(&app, &admin, &feed).await;
    assert_eq!(broken["outcome"], "failed");
    assert!(
        broken["error"].as_str().unwrap().contains("never closed"),
        "{broken}"
    );
    let (_, shown) = app
        .get(&format!("/api/v1/seasons/{season}"), Some(&admin))
        .await;
    assert_eq!(shown["feed_problems"][0]["feed_id"], feed.as_str());
    assert_eq!(shown["feed_problems"][0]["failures"], 1);
    served.lock().unwrap().status = 500;
    let failing = refresh(&app, &admin, &feed).await;
    assert!(
        failing["error"].as_str().unwrap().contains("HTTP 500"),
        "{failing}"
    );
    assert_eq!(failing["feed"]["failures"], 2);
    assert_eq!(listed(&app, &season).await, before);

    // Mended: the problem goes away, and after everything there is one event per UID.
    publish(&served, &[SERIES_CHANGED, PLAY_MOVED]);
    assert_eq!(refresh(&app, &admin, &feed).await["outcome"], "applied");
    let (_, shown) = app
        .get(&format!("/api/v1/seasons/{season}"), Some(&admin))
        .await;
    assert!(shown.get("feed_problems").is_none(), "{shown}");
    let (_, page) = app
        .get(
            &format!("/api/v1/events?season_id={season}&from=2027-01-01"),
            None,
        )
        .await;
    let mut events: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["event_id"].as_str().unwrap().to_string())
        .collect();
    events.sort();
    events.dedup();
    assert_eq!(events.len(), 3, "series, play and museum, once each");

    // Unsubscribing cancels what the feed brought.
    let (status, _) = app
        .delete(&format!("/api/v1/feeds/{feed}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        listed(&app, &season)
            .await
            .iter()
            .all(|l| l.ends_with("cancelled"))
    );
    state.db.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_feed_that_cannot_be_reached_or_is_no_url_is_reported() {
    let app = TestApp::builder()
        .services(&[piazza_scheduler::SERVICE])
        .settings(|s| {
            s.scheduler().jobs_enabled = false;
            // The test's calendar server runs on this machine, which imports may not reach
            // unless allowed.
            s.scheduler().import_allowed_hosts = vec!["127.0.0.1".into()];
        })
        .spawn()
        .await;
    let admin = super::admin_token(&app);
    let season = season(&app, &admin).await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{closed}/calendar.ics");
    let created = expect(
        &app,
        &format!("/api/v1/seasons/{season}/feeds"),
        Some(&admin),
        json!({ "url": url, "name": "Museo" }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["outcome"], "failed");
    assert!(
        created["error"]
            .as_str()
            .unwrap()
            .contains("could not reach"),
        "{created}"
    );
    let (status, problem) = app
        .post(
            &format!("/api/v1/seasons/{season}/feeds"),
            Some(&admin),
            &json!({ "url": url, "name": "Museo" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "the same address twice");
    assert_eq!(problem["type"], "urn:piazza:problem:feed_exists");
    for bad in ["ftp://example.org/x.ics", "not a url", "file:///etc/passwd"] {
        let problem = expect(
            &app,
            &format!("/api/v1/seasons/{season}/feeds"),
            Some(&admin),
            json!({ "url": bad, "name": "X" }),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(fields(&problem), ["url"], "{bad}");
    }
    let (status, _) = app
        .get(
            &format!("/api/v1/seasons/{}/feeds", uuid::Uuid::now_v7()),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
