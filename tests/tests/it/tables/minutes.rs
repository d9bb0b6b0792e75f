//! After a meeting: minutes, attendance (and how many were young people's representatives) and
//! decisions linked to what they led to. A co-design table's minutes are public; a
//! social-services table's stay internal, on the API and on the public page. On RabbitMQ the
//! monitoring read model is told the counts, and nothing personal.

use super::{WAIT, expect, fields, get, meeting_when, space, table};
use async_trait::async_trait;
use piazza_e2e::{
    amqp_url,
    app::{Database, TestApp},
    clock, eventually,
};
use piazza_shared::{
    Envelope, Message,
    bus::{Bus, Consumer, HandleError, Subscription, amqp::AmqpBus},
    contracts::{FundingLine, table::TableMeetingHeld},
    secret::Secret,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

struct Recorder(Arc<Mutex<Vec<Envelope>>>);

#[async_trait]
impl Consumer for Recorder {
    async fn consume(&self, envelope: Envelope) -> Result<(), HandleError> {
        self.0.lock().unwrap().push(envelope);
        Ok(())
    }
}

/// A queue of the test's own, as the monitoring read model would bind, on `table.*`.
async fn monitoring_tap(app: &TestApp) -> (Arc<Mutex<Vec<Envelope>>>, CancellationToken) {
    let settings = &app.settings.bus;
    let bus = Arc::new(AmqpBus::new(
        Secret::new(amqp_url()),
        settings.clone(),
        "tap",
    ));
    let subscription = Subscription::new(settings, piazza_e2e::infra::TAP, vec!["table.*"]);
    bus.declare(&subscription).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stop = CancellationToken::new();
    let recorder = Arc::new(Recorder(seen.clone()));
    let token = stop.clone();
    tokio::spawn(async move { bus.consume(subscription, recorder, token).await });
    (seen, stop)
}

/// A meeting of `table` in `hall` starting a few seconds from now; returns its id.
async fn meeting_soon(app: &TestApp, admin: &str, table: &str, hall: &str) -> String {
    let start = clock::now() + chrono::Duration::seconds(3);
    let meeting = expect(
        app,
        &format!("/api/v1/tables/{table}/meetings"),
        Some(admin),
        json!({
            "title": "Incontro", "space_id": hall, "agenda": "Ordine del giorno",
            "starts_at": start.to_rfc3339(),
            "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339()
        }),
        StatusCode::CREATED,
    )
    .await;
    meeting["id"].as_str().unwrap().to_string()
}

/// Records the meeting once it has begun (409 `meeting_not_held` until then).
async fn record_when_held(app: &TestApp, admin: &str, table: &str, id: &str, body: Value) -> Value {
    let path = format!("/api/v1/tables/{table}/meetings/{id}/record");
    eventually("the meeting to begin", WAIT, || async {
        let (status, answer) = app.post(&path, Some(admin), &body).await;
        match status {
            StatusCode::OK => Some(answer),
            StatusCode::CONFLICT => {
                assert_eq!(
                    answer["type"], "urn:piazza:problem:meeting_not_held",
                    "{answer}"
                );
                None
            }
            other => panic!("recording: {other} {answer}"),
        }
    })
    .await
}

async fn minutes_after_the_meeting(app: TestApp, rabbit: bool) {
    let tap = if rabbit {
        Some(monitoring_tap(&app).await)
    } else {
        None
    };
    let admin = app.admin().await;
    let hall = space(&app, &admin, "Sala Rossa").await;
    let codesign = table(
        &app,
        &admin,
        json!({ "name": "Tavolo giovani", "theme": "Spazi per i giovani", "funding_line": "fse_plus" }),
    )
    .await;
    assert_eq!(codesign["kind"], "codesign", "the default kind");
    let social = table(
        &app,
        &admin,
        json!({ "name": "Tavolo rete servizi sociali", "theme": "Percorsi",
                "kind": "social_services" }),
    )
    .await;
    let (open_id, closed_id) = (
        codesign["id"].as_str().unwrap().to_string(),
        social["id"].as_str().unwrap().to_string(),
    );
    let open_meeting = meeting_soon(&app, &admin, &open_id, &hall).await;
    // Not begun yet: nothing to record.
    let (status, problem) = app
        .post(
            &format!("/api/v1/tables/{open_id}/meetings/{open_meeting}/record"),
            Some(&admin),
            &json!({ "minutes": "x", "attendance": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["type"], "urn:piazza:problem:meeting_not_held");

    // A decision must name something that exists.
    let (status, problem) = app
        .post(
            &format!("/api/v1/tables/{open_id}/meetings/{open_meeting}/record"),
            Some(&admin),
            &json!({ "minutes": "x", "attendance": 1, "decisions": [
                { "text": "Riaprire il cortile", "led_to": { "kind": "space", "id": uuid::Uuid::now_v7() } }
            ] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["decisions[0].led_to.id"]);

    // A decision may name the space once the scheduler has heard of it from booking.
    meeting_when(
        &app,
        None,
        &open_id,
        &open_meeting,
        "the space known",
        |m| m["space_name"].is_string(),
    )
    .await;
    let recorded = record_when_held(
        &app,
        &admin,
        &open_id,
        &open_meeting,
        json!({
            "minutes": "Deciso di riaprire il cortile il sabato.", "attendance": 14,
            "youth_representatives": 4,
            "decisions": [
                { "text": "Riaprire il cortile", "led_to": { "kind": "space", "id": hall } },
                { "text": "Scrivere un bando" }
            ]
        }),
    )
    .await;
    assert_eq!(recorded["status"], "held");
    let office = space(&app, &admin, "Ufficio servizi sociali").await;
    let closed_meeting = meeting_soon(&app, &admin, &closed_id, &office).await;
    record_when_held(
        &app,
        &admin,
        &closed_id,
        &closed_meeting,
        json!({ "minutes": "Situazione del ragazzo seguito.", "attendance": 6 }),
    )
    .await;

    // The co-design table's minutes are public.
    let public = meeting_when(&app, None, &open_id, &open_meeting, "the minutes", |m| {
        m["status"] == "held"
    })
    .await;
    assert_eq!(
        public["minutes"],
        "Deciso di riaprire il cortile il sabato."
    );
    assert_eq!(public["attendance"], 14);
    assert_eq!(public["youth_representatives"], 4);
    assert_eq!(public["decisions"][0]["led_to"]["kind"], "space");
    assert_eq!(public["decisions"][0]["led_to"]["id"], hall.as_str());
    assert_eq!(public["decisions"][1]["led_to"], Value::Null);

    // The social-services table's stay internal: counts only, for everyone but administrators.
    let operator = app
        .user(
            "ops@arci.test",
            piazza_shared::auth::Role::Operator,
            Some("ARCI Cremona"),
        )
        .await;
    for token in [None, Some(operator.as_str())] {
        let listed = get(&app, &format!("/api/v1/tables/{closed_id}/meetings"), token).await;
        let m = &listed["items"][0];
        assert_eq!(m["status"], "held", "{m}");
        assert!(m["minutes"].is_null(), "{m}");
        assert_eq!(m["agenda"], "", "{m}");
        assert_eq!(m["attendance"], 6);
        assert!(!listed.to_string().contains("ragazzo seguito"), "{listed}");
    }
    let internal = get(
        &app,
        &format!("/api/v1/tables/{closed_id}/meetings/{closed_meeting}"),
        Some(&admin),
    )
    .await;
    assert_eq!(internal["minutes"], "Situazione del ragazzo seguito.");

    // The public page: published minutes, never the internal ones.
    let response = crate::pages::client()
        .get(app.url("/tables"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Deciso di riaprire il cortile il sabato."),
        "{html}"
    );
    assert!(html.contains("Tavolo rete servizi sociali"), "{html}");
    assert!(!html.contains("ragazzo seguito"), "{html}");

    if let Some((seen, stop)) = tap {
        let held: TableMeetingHeld = eventually("table.meeting_held", WAIT, || async {
            seen.lock()
                .unwrap()
                .iter()
                .filter(|e| e.event_type == TableMeetingHeld::TYPE)
                .map(|e| e.decode::<TableMeetingHeld>().unwrap())
                .find(|m| m.meeting_id.to_string() == open_meeting)
        })
        .await;
        assert_eq!(held.table_kind, "codesign");
        assert_eq!(held.funding_line, Some(FundingLine::FsePlus));
        assert_eq!(
            (held.attendance, held.youth_representatives, held.decisions),
            (14, 4, 2)
        );
        let raw = seen
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.data.to_string())
            .collect::<String>();
        assert!(
            !raw.contains("cortile") && !raw.contains("ragazzo"),
            "counts only: {raw}"
        );
        stop.cancel();
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minutes_after_a_meeting_and_social_services_minutes_stay_internal_embedded() {
    let app = TestApp::builder().database(Database::Sqlite).spawn().await;
    minutes_after_the_meeting(app, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minutes_after_a_meeting_and_social_services_minutes_stay_internal_on_postgres_and_rabbitmq()
 {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    minutes_after_the_meeting(app, true).await;
}
