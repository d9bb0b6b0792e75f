//! People registered for an event: an email for a place given, a place in line and a place
//! freed up; a reminder before the occurrence with an `.ics` that an independent parser
//! (python's icalendar) reads as the event; and news of a move or a cancellation, to them and to
//! the subscribers who heard of the event — one email each, in their language.

use super::{WAIT, app, count_to, email, published_event, subscriber};
use crate::scheduler::scheduler_state;
use chrono::{DateTime, Utc};
use piazza_e2e::{app::TestApp, eventually, mail::Email};
use piazza_scheduler::jobs::{Job, tick};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;

async fn register(app: &TestApp, event: &str, email: &str, language: &str) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &json!({ "email": email, "name": email.split('@').next().unwrap(), "language": language }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The email's `.ics`, read by `tests/support/ics_check.py`.
fn calendar_of(email: &Email, dir: &Path) -> Value {
    let attachments = email.attachments();
    let (name, content_type, body) = attachments
        .iter()
        .find(|(_, t, _)| t == "text/calendar")
        .unwrap_or_else(|| panic!("no calendar attached: {attachments:?}"));
    assert!(name.ends_with(".ics"), "{name}");
    assert_eq!(content_type, "text/calendar");
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(text.contains("METHOD:PUBLISH\r\n"), "{text}");
    let path = dir.join(format!("{}.ics", uuid::Uuid::now_v7()));
    std::fs::write(&path, body).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/ics_check.py");
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .args(["2027-01-01", "2028-01-01"])
        .output()
        .expect("python3 with icalendar (pip install icalendar recurring_ical_events)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrants_hear_of_their_place_and_the_reminder_carries_a_calendar_clients_read() {
    let app = app().await;
    let admin = app.admin().await;
    let event = published_event(
        &app,
        &admin,
        json!({
            "title": "Laboratorio di fumetto", "description": "Porta matite; fogli e chine li diamo noi.",
            "categories": ["workshop"], "capacity": 1,
            "starts_at": "2027-04-10T15:00:00+02:00", "ends_at": "2027-04-10T18:00:00+02:00"
        }),
    )
    .await;
    let ada = register(&app, &event, "ada@example.org", "it").await;
    assert_eq!(ada["status"], "confirmed");
    let bea = register(&app, &event, "bea@example.org", "en").await;
    assert_eq!(bea["status"], "waitlisted");

    let place = email(&app, "ada@example.org", "Iscrizione confermata").await;
    assert!(
        place.text.contains("sabato 10 aprile 2027, 15:00–18:00"),
        "{}",
        place.text
    );
    assert!(place.link("/cancel").is_some(), "{}", place.text);
    assert!(
        place.header("List-Unsubscribe").is_none(),
        "not a newsletter"
    );
    let calendar = calendar_of(&place, app.dir.path());
    assert_eq!(calendar["events"][0]["summary"], "Laboratorio di fumetto");
    let line = email(&app, "bea@example.org", "On the waitlist").await;
    assert!(line.text.contains("number 1"), "{}", line.text);
    assert!(
        line.attachments().is_empty(),
        "a place in line is no date yet"
    );

    // Ada gives up her place; Bea gets it.
    let (status, _) = app
        .post(
            &format!(
                "/api/v1/registrations/{}/cancel",
                ada["id"].as_str().unwrap()
            ),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let promoted = email(&app, "bea@example.org", "A place is yours").await;
    assert!(
        promoted
            .text
            .contains("Saturday, 10 April 2027, 15:00–18:00")
    );

    // A day before, the reminder: to Bea, who holds the place, not to Ada.
    let scheduler = scheduler_state(&app).await;
    let day_before: DateTime<Utc> = "2027-04-09T14:00:00Z".parse().unwrap();
    tick(
        &scheduler,
        Job::Reminders,
        day_before - chrono::Duration::minutes(10),
    )
    .await
    .unwrap();
    tick(&scheduler, Job::Reminders, day_before).await.unwrap();
    let reminder = email(&app, "bea@example.org", "Reminder: Laboratorio di fumetto").await;
    assert!(
        reminder
            .text
            .contains("Saturday, 10 April 2027, 15:00–18:00")
    );
    let calendar = calendar_of(&reminder, app.dir.path());
    let events = calendar["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{calendar}");
    assert_eq!(events[0]["summary"], "Laboratorio di fumetto");
    assert_eq!(events[0]["start"], "2027-04-10T13:00:00Z");
    assert_eq!(events[0]["end"], "2027-04-10T16:00:00Z");
    assert_eq!(events[0]["status"], "CONFIRMED");
    assert!(events[0]["uid"].as_str().unwrap().ends_with("@piazza"));
    assert!(
        events[0]["description"]
            .as_str()
            .unwrap()
            .contains("Porta matite")
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        app.mailbox
            .to("ada@example.org")
            .iter()
            .all(|e| !e.subject.contains("Promemoria")),
        "no reminder after cancelling"
    );
    assert_eq!(count_to(&app, "bea@example.org"), 3);
    scheduler.db.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_and_a_cancellation_reach_registrants_and_the_subscribers_who_heard_of_it() {
    let app = app().await;
    let admin = app.admin().await;
    subscriber(&app, "sara@example.org", &["dance"], "it", "instant").await;
    subscriber(&app, "will@example.org", &["dance"], "en", "weekly").await;
    let event = published_event(
        &app,
        &admin,
        json!({
            "title": "Serata swing", "categories": ["dance"],
            "starts_at": "2027-05-20T21:00:00+02:00", "ends_at": "2027-05-20T23:00:00+02:00"
        }),
    )
    .await;
    email(&app, "sara@example.org", "Serata swing").await;
    register(&app, &event, "reg@example.org", "en").await;
    // Someone both subscribed and registered hears once, as a registrant.
    register(&app, &event, "sara@example.org", "it").await;
    email(&app, "reg@example.org", "Registration confirmed").await;
    email(&app, "sara@example.org", "Iscrizione confermata").await;

    let (status, moved) = app
        .patch(
            &format!("/api/v1/events/{event}"),
            Some(&admin),
            &json!({ "starts_at": "2027-05-27T21:00:00+02:00", "ends_at": "2027-05-27T23:00:00+02:00" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let to_registrant = email(&app, "reg@example.org", "Change of plan").await;
    assert!(
        to_registrant
            .text
            .contains("Thursday, 27 May 2027, 21:00–23:00"),
        "{}",
        to_registrant.text
    );
    assert!(
        to_registrant
            .text
            .contains("Thursday, 20 May 2027, 21:00–23:00")
    );
    assert!(to_registrant.header("List-Unsubscribe").is_none());
    let to_sara = email(&app, "sara@example.org", "Cambio di programma").await;
    assert!(
        to_sara.text.contains("giovedì 27 maggio 2027"),
        "{}",
        to_sara.text
    );

    let (status, _) = app
        .post(
            &format!("/api/v1/events/{event}/cancel"),
            Some(&admin),
            &json!({ "reason": "pioggia prevista" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let off = email(&app, "reg@example.org", "Cancelled: Serata swing").await;
    assert!(off.text.contains("pioggia prevista"));
    email(&app, "sara@example.org", "Annullato: Serata swing").await;
    eventually("every notice to be sent", WAIT, || async {
        (count_to(&app, "sara@example.org") == 5).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    // Confirmation, announcement, registration, move, cancellation: one each.
    assert_eq!(count_to(&app, "sara@example.org"), 5);
    assert_eq!(count_to(&app, "reg@example.org"), 3);
    assert_eq!(
        count_to(&app, "will@example.org"),
        1,
        "weekly readers see the digest"
    );
    app.stop().await;
}
