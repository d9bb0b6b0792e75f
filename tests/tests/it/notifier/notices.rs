//! Staff and operators hear of what waits for them, on the embedded default and on PostgreSQL +
//! RabbitMQ, through the test's SMTP server: every active administrator gets one email for an
//! operator's booking request (one for a whole series) and one for a proposal; the operators of
//! organisations working in a call's field get one when it opens. Disabled accounts, other
//! fields and administrators' own bookings write none.

use super::{WAIT, local};
use piazza_booking::accounts::{Change, change};
use piazza_e2e::{ServiceSections, app::TestApp, eventually, mail::Email};
use piazza_shared::{auth::Role, bus::outbox::Outbox};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn ok(app: &TestApp, path: &str, token: &str, body: Value, status: StatusCode) -> Value {
    let (got, answer) = app.post(path, Some(token), &body).await;
    assert_eq!(got, status, "{path}: {answer}");
    answer
}

/// Emails to `to` whose subject contains `about`.
fn about(app: &TestApp, to: &str, about: &str) -> Vec<Email> {
    app.mailbox
        .to(to)
        .into_iter()
        .filter(|e| e.subject.contains(about))
        .collect()
}

/// Waits until each of `to` has an email about `subject`; returns the first one's.
async fn everyone_hears(app: &TestApp, to: &[&str], subject: &str) -> Email {
    eventually(&format!("{to:?} told of {subject}"), WAIT, || {
        let all: Vec<Vec<Email>> = to.iter().map(|t| about(app, t, subject)).collect();
        let found = all.iter().all(|e| !e.is_empty()).then(|| all[0][0].clone());
        async move { found }
    })
    .await
}

async fn disable(app: &TestApp, email: &str) {
    let db = app.db(piazza_booking::NAME).await;
    change(
        &db,
        &Outbox::new(piazza_booking::NAME),
        email,
        Change::Disable,
    )
    .await
    .unwrap();
    db.close().await;
}

/// Sets the fields of the organisation called `name` through the API.
async fn set_fields(app: &TestApp, admin: &str, name: &str, fields: &[&str]) {
    let (status, list) = app.get("/api/v1/organisations", Some(admin)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, changed) = app
        .patch(
            &format!("/api/v1/organisations/{id}"),
            Some(admin),
            &json!({ "fields": fields }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["fields"], json!(fields));
}

async fn staff_and_operators_hear_once_each(app: TestApp) {
    let admin = app.admin().await;
    app.user("cultura@comune.test", Role::Admin, None).await;
    app.user("ex@comune.test", Role::Admin, None).await;
    disable(&app, "ex@comune.test").await;
    let staff = ["admin@comune.test", "cultura@comune.test"];
    let operator = app
        .user("ops@banda.test", Role::Operator, Some("Banda Ponchielli"))
        .await;
    app.user("ex@banda.test", Role::Operator, Some("Banda Ponchielli"))
        .await;
    disable(&app, "ex@banda.test").await;
    app.user("ops@teatro.test", Role::Operator, Some("Teatro Filo"))
        .await;
    set_fields(&app, &admin, "Banda Ponchielli", &["music", "workshop"]).await;
    set_fields(&app, &admin, "Teatro Filo", &["theatre"]).await;

    let space = crate::scheduler::space(&app, &admin, "Sala Puerari").await;
    let start = piazza_e2e::clock::now() + chrono::Duration::days(10);
    let booking = |title: &str, hours_later: i64, recurrence: Option<&str>| {
        let starts_at = start + chrono::Duration::hours(hours_later);
        let mut body = json!({
            "space_id": space, "title": title, "attendees": 20,
            "starts_at": starts_at.to_rfc3339(),
            "ends_at": (starts_at + chrono::Duration::hours(2)).to_rfc3339(),
        });
        if let Some(rule) = recurrence {
            body["recurrence"] = json!(rule);
        }
        body
    };
    // An administrator's own booking tells nobody; the operator's request tells the staff.
    ok(
        &app,
        "/api/v1/bookings",
        &admin,
        booking("Prova del Comune", 0, None),
        StatusCode::CREATED,
    )
    .await;
    ok(
        &app,
        "/api/v1/bookings",
        &operator,
        booking("Prove della banda", 3, None),
        StatusCode::CREATED,
    )
    .await;
    let email = everyone_hears(&app, &staff, "Prove della banda").await;
    assert!(
        email.subject.contains("Nuova richiesta di prenotazione"),
        "{}",
        email.subject
    );
    assert!(email.text.contains("Banda Ponchielli"), "{}", email.text);
    assert!(email.text.contains("Sala Puerari"), "{}", email.text);
    assert!(
        email.text.contains("New booking request") || email.text.contains("waiting for approval"),
        "{}",
        email.text
    );
    let queue = email
        .link("/admin/bookings")
        .expect("a link to the approval queue");
    assert_eq!(
        url::Url::parse(&local(&app, &queue)).unwrap().path(),
        "/admin/bookings"
    );

    // A weekly series of four is one request: one email each.
    let series = booking("Corso di ottoni", 6, Some("FREQ=WEEKLY;COUNT=4"));
    let created = ok(
        &app,
        "/api/v1/bookings",
        &operator,
        series,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["occurrences"].as_array().unwrap().len(), 4);
    let email = everyone_hears(&app, &staff, "Corso di ottoni").await;
    assert!(email.text.contains("prima di 4 date"), "{}", email.text);
    assert!(email.text.contains("first of 4 dates"), "{}", email.text);

    // A proposal sent to a call tells the staff, with a link to the call's proposals.
    let season = crate::scheduler::season(&app, &admin).await;
    let today = piazza_e2e::clock::now().date_naive();
    let call = |title: &str, fields: &[&str]| {
        json!({
            "season_id": season, "title": title, "description": "Idee per l'estate",
            "opens_at": today.to_string(), "closes_at": (today + chrono::Duration::days(30)).to_string(),
            "fields": fields,
        })
    };
    let music = ok(
        &app,
        "/api/v1/calls",
        &admin,
        call("Musica in cortile", &["music"]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(music["fields"], json!(["music"]));
    let music_id = music["id"].as_str().unwrap().to_string();
    // Operators of music organisations hear of a call in music, with a link to its page.
    let told = everyone_hears(&app, &["ops@banda.test"], "Musica in cortile").await;
    assert!(told.subject.contains("Nuovo bando"), "{}", told.subject);
    assert!(told.text.contains("Musica"), "{}", told.text);
    let page = told.link("/calls/").expect("a link to the call");
    assert_eq!(
        url::Url::parse(&local(&app, &page)).unwrap().path(),
        format!("/calls/{music_id}")
    );
    ok(
        &app,
        &format!("/api/v1/calls/{music_id}/proposals"),
        &operator,
        json!({
            "title": "Fanfara dei ragazzi", "description": "Prove aperte", "categories": ["music"],
            "capacity": 20, "sessions": 2, "space_id": space,
            "preferred_slot": { "weekday": "thu", "starts": "17:00", "ends": "19:00" }
        }),
        StatusCode::CREATED,
    )
    .await;
    let email = everyone_hears(&app, &staff, "Fanfara dei ragazzi").await;
    assert!(
        email.subject.contains("Nuova proposta"),
        "{}",
        email.subject
    );
    let proposals = email
        .link("/admin/calls/")
        .expect("a link to the call's proposals");
    assert_eq!(
        url::Url::parse(&local(&app, &proposals)).unwrap().path(),
        format!("/admin/calls/{music_id}")
    );
    // A call in theatre only: its operators hear, the band does not.
    ok(
        &app,
        "/api/v1/calls",
        &admin,
        call("Teatro in piazza", &["theatre"]),
        StatusCode::CREATED,
    )
    .await;
    everyone_hears(&app, &["ops@teatro.test"], "Teatro in piazza").await;

    // Each notice's recipients were written at once: now that the last have arrived, nothing
    // else is on its way.
    for to in staff {
        assert_eq!(about(&app, to, "Prove della banda").len(), 1, "{to}");
        assert_eq!(about(&app, to, "Corso di ottoni").len(), 1, "{to}");
        assert_eq!(about(&app, to, "Fanfara dei ragazzi").len(), 1, "{to}");
        assert!(about(&app, to, "Prova del Comune").is_empty(), "{to}");
    }
    assert!(app.mailbox.to("ex@comune.test").is_empty());
    assert!(app.mailbox.to("ex@banda.test").is_empty());
    assert_eq!(about(&app, "ops@banda.test", "Musica in cortile").len(), 1);
    assert!(about(&app, "ops@banda.test", "Teatro in piazza").is_empty());
    assert!(about(&app, "ops@teatro.test", "Musica in cortile").is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_and_operators_hear_once_each_on_the_embedded_default() {
    let app = TestApp::builder()
        .smtp()
        .settings(|s| s.scheduler().jobs_enabled = false)
        .spawn()
        .await;
    staff_and_operators_hear_once_each(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_and_operators_hear_once_each_on_postgres_and_rabbitmq() {
    staff_and_operators_hear_once_each(super::app().await).await;
}
