//! A published event's occurrences are facts with the event's funding line; a confirmed place is
//! a person reached, kept as a keyed hash of the address (the same person whatever the case of
//! the address), with the age band when known; a waitlisted place counts nobody until promoted,
//! a cancelled one no longer counts, a date cancelled on its own ends and a cancelled event ends
//! every occurrence. No address is stored anywhere in the monitoring's database.

use super::{everything_stored, facts_when, send};
use crate::scheduler::{expect, published};
use piazza_e2e::{
    app::TestApp,
    clock::{day_ahead, rome},
};
use piazza_monitoring::db::facts::Model as Fact;
use piazza_shared::contracts::{
    Language,
    event::{EventSummary, Occurrence},
    pathway::AgeBand,
    registration::{Registration, RegistrationChange, RegistrationConfirmed},
};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn register(app: &TestApp, event: &str, occurrence: Uuid, email: &str) -> serde_json::Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &json!({ "email": email, "name": "Ada", "language": "it", "occurrence_id": occurrence }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn events_and_registrations_become_facts_without_addresses(app: TestApp) {
    let admin = app.admin().await;
    let day = day_ahead();
    let event = published(
        &app,
        &admin,
        json!({
            "title": "Laboratorio di serigrafia", "categories": ["workshop"], "capacity": 1,
            "starts_at": rome(day, "17:00"), "ends_at": rome(day, "19:00"),
            "recurrence": "FREQ=WEEKLY;COUNT=3", "funding_line": "fse_plus",
        }),
    )
    .await;
    let event_id: Uuid = event["id"].as_str().unwrap().parse().unwrap();
    let of_event = |rows: &[Fact]| {
        rows.iter()
            .filter(|f| f.source_id == Some(event_id))
            .cloned()
            .collect::<Vec<_>>()
    };
    let occurrences = facts_when(&app, "event_occurrence", "three occurrences", |rows| {
        of_event(rows).iter().filter(|f| f.live).count() == 3
    })
    .await;
    let occurrences = of_event(&occurrences);
    for occurrence in &occurrences {
        assert_eq!(occurrence.funding_line.as_deref(), Some("fse_plus"));
        assert_eq!(
            occurrence.ends_at.unwrap() - occurrence.at,
            chrono::Duration::hours(2)
        );
    }
    let second = &occurrences[1];

    // One place: Ada has it, Bea waits and counts nobody yet.
    let ada = register(
        &app,
        &event_id.to_string(),
        second.subject_id,
        "Ada@Example.org",
    )
    .await;
    let bea = register(
        &app,
        &event_id.to_string(),
        second.subject_id,
        "bea@example.org",
    )
    .await;
    assert_eq!(ada["status"], "confirmed");
    assert_eq!(bea["status"], "waitlisted");
    let (ada_id, bea_id): (Uuid, Uuid) = (
        ada["id"].as_str().unwrap().parse().unwrap(),
        bea["id"].as_str().unwrap().parse().unwrap(),
    );
    let rows = facts_when(&app, "registration", "Ada's place", |rows| {
        rows.iter().any(|f| f.subject_id == ada_id)
    })
    .await;
    let ada_fact = rows
        .iter()
        .find(|f| f.subject_id == ada_id)
        .unwrap()
        .clone();
    assert!(ada_fact.live);
    assert_eq!(ada_fact.source_id, Some(event_id));
    assert_eq!(
        ada_fact.at, second.at,
        "dated by the occurrence registered for"
    );
    assert_eq!(ada_fact.funding_line.as_deref(), Some("fse_plus"));
    let ada_key = ada_fact.person_key.clone().unwrap();
    assert_eq!(ada_key.len(), 64);
    assert!(ada_key.chars().all(|c| c.is_ascii_hexdigit()));

    // Ada's place is cancelled: Bea is promoted and counts, Ada no longer does.
    expect(
        &app,
        &format!("/api/v1/registrations/{ada_id}/cancel"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let rows = facts_when(&app, "registration", "Bea promoted, Ada out", |rows| {
        rows.iter().any(|f| f.subject_id == bea_id && f.live)
            && rows.iter().any(|f| f.subject_id == ada_id && !f.live)
    })
    .await;
    let bea_key = rows
        .iter()
        .find(|f| f.subject_id == bea_id)
        .and_then(|f| f.person_key.clone())
        .unwrap();
    assert_ne!(bea_key, ada_key, "two people, two keys");

    // Ada again, registered elsewhere with her age band (as the scheduler will send it once it
    // asks for a birth year): the same key, the band kept.
    let again = Uuid::now_v7();
    let summary = EventSummary {
        event_id,
        title: "Laboratorio di serigrafia".into(),
        description: String::new(),
        categories: vec![],
        age_min: None,
        age_max: None,
        time_zone: "Europe/Rome".into(),
        occurrences: occurrences
            .iter()
            .map(|f| Occurrence {
                occurrence_id: f.subject_id,
                starts_at: f.at,
                ends_at: f.ends_at.unwrap(),
            })
            .collect(),
        place: None,
        capacity: Some(1),
        funding_line: None,
        season_id: None,
    };
    send(
        &app,
        "scheduler",
        &RegistrationConfirmed(RegistrationChange {
            version: 1,
            registration: Registration {
                registration_id: again,
                event_id,
                occurrence_id: None,
                occurrence_starts_at: None,
                email: "  ADA@example.org ".into(),
                name: "Ada".into(),
                language: Language::It,
                waitlist_position: None,
                cancel_url: None,
                // No email for a hand-built registration.
                quiet: true,
                age_band: Some(AgeBand::From14To17),
            },
            event: summary,
        }),
    )
    .await;
    let rows = facts_when(&app, "registration", "Ada again", |rows| {
        rows.iter().any(|f| f.subject_id == again)
    })
    .await;
    let fact = rows.iter().find(|f| f.subject_id == again).unwrap();
    assert_eq!(fact.person_key.as_deref(), Some(ada_key.as_str()));
    assert_eq!(fact.age_band.as_deref(), Some("14_17"));
    assert_eq!(
        fact.at, occurrences[0].at,
        "no occurrence: the event's first"
    );

    // The last date is cancelled on its own: it ends, the others go on.
    let last = occurrences[2].subject_id;
    expect(
        &app,
        &format!("/api/v1/events/{event_id}/occurrences/{last}/cancel"),
        Some(&admin),
        json!({ "reason": "Sala chiusa" }),
        StatusCode::OK,
    )
    .await;
    let rows = facts_when(&app, "event_occurrence", "the last date ended", |rows| {
        of_event(rows)
            .iter()
            .any(|f| f.subject_id == last && !f.live)
    })
    .await;
    assert_eq!(
        of_event(&rows).iter().filter(|f| f.live).count(),
        2,
        "the other dates go on"
    );

    // The event is cancelled: its occurrences end.
    expect(
        &app,
        &format!("/api/v1/events/{event_id}/cancel"),
        Some(&admin),
        json!({ "reason": "Maltempo" }),
        StatusCode::OK,
    )
    .await;
    facts_when(&app, "event_occurrence", "the occurrences ended", |rows| {
        let ours = of_event(rows);
        ours.len() == 3 && ours.iter().all(|f| !f.live)
    })
    .await;

    // Nowhere an address, in any case.
    let stored = everything_stored(&app).await.to_lowercase();
    assert!(!stored.is_empty());
    for address in ["ada@example.org", "bea@example.org", "example.org"] {
        assert!(!stored.contains(address), "the monitoring stores {address}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_registrations_become_facts_without_addresses_on_the_embedded_default() {
    events_and_registrations_become_facts_without_addresses(TestApp::builder().spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_registrations_become_facts_without_addresses_on_postgres_and_rabbitmq() {
    events_and_registrations_become_facts_without_addresses(
        TestApp::builder().postgres().rabbitmq().spawn().await,
    )
    .await;
}
