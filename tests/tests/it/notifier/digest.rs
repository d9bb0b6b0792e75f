//! The weekly digest: on `digest.due` each weekly subscriber gets one email with their matching
//! events of the coming week (not next month's, not others' interests), nobody with nothing to
//! read gets one, and a replayed or repeated digest of the same week sends nothing more.

use super::{WAIT, app, count_to, email, publish, published_event, subscriber};
use crate::scheduler::scheduler_state;
use chrono::{DateTime, Utc};
use piazza_e2e::eventually;
use piazza_scheduler::jobs::{Job, tick};
use piazza_shared::{Envelope, contracts::jobs::DigestDue};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_weekly_reader_gets_one_digest_of_their_week_and_a_replay_sends_nothing() {
    let app = app().await;
    let admin = app.admin().await;
    subscriber(
        &app,
        "mia@example.org",
        &["music", "cinema"],
        "it",
        "weekly",
    )
    .await;
    subscriber(&app, "leo@example.org", &["theatre"], "en", "weekly").await;
    subscriber(&app, "ugo@example.org", &["sport"], "it", "weekly").await;
    subscriber(
        &app,
        "ivo@example.org",
        &["music", "theatre", "cinema"],
        "it",
        "instant",
    )
    .await;
    // The week from Monday 1 March 2027, 09:00 (Rome).
    for (title, categories, starts, ends) in [
        (
            "Concerto di primavera",
            json!(["music"]),
            "2027-03-03T21:00:00+01:00",
            "2027-03-03T23:00:00+01:00",
        ),
        (
            "Cineforum",
            json!(["cinema"]),
            "2027-03-05T20:30:00+01:00",
            "2027-03-05T22:30:00+01:00",
        ),
        (
            "Prova aperta",
            json!(["theatre"]),
            "2027-03-06T18:00:00+01:00",
            "2027-03-06T20:00:00+01:00",
        ),
        (
            "Concerto d'aprile",
            json!(["music"]),
            "2027-04-02T21:00:00+02:00",
            "2027-04-02T23:00:00+02:00",
        ),
    ] {
        published_event(
            &app,
            &admin,
            json!({ "title": title, "categories": categories, "starts_at": starts, "ends_at": ends }),
        )
        .await;
    }
    // The instant reader's emails show the notifier has every event.
    eventually("the instant announcements", WAIT, || async {
        (count_to(&app, "ivo@example.org") == 5).then_some(())
    })
    .await;

    let scheduler = scheduler_state(&app).await;
    let monday: DateTime<Utc> = "2027-03-01T08:00:30Z".parse().unwrap();
    tick(&scheduler, Job::Digest, monday - chrono::Duration::hours(1))
        .await
        .unwrap();
    tick(&scheduler, Job::Digest, monday).await.unwrap();

    let mia = email(&app, "mia@example.org", "Questa settimana a Piazza").await;
    assert!(mia.subject.contains("2 eventi"), "{}", mia.subject);
    assert!(mia.text.contains("Concerto di primavera"));
    assert!(
        mia.text.contains("mercoledì 3 marzo 2027, 21:00–23:00"),
        "{}",
        mia.text
    );
    assert!(mia.text.contains("Cineforum"));
    assert!(
        !mia.text.contains("Concerto d'aprile"),
        "next month is not this week"
    );
    assert!(!mia.text.contains("Prova aperta"), "not her interest");
    assert!(
        mia.text.find("Concerto di primavera") < mia.text.find("Cineforum"),
        "in date order"
    );
    assert!(mia.header("List-Unsubscribe").is_some());
    let leo = email(&app, "leo@example.org", "This week at Piazza: one event").await;
    assert!(leo.text.contains("Prova aperta"));

    // The same week again, under another run id: nothing more.
    publish(
        &app,
        &Envelope::new(
            "scheduler",
            &DigestDue {
                version: 1,
                run_id: uuid::Uuid::now_v7(),
                window_start: "2027-03-01T08:00:00Z".parse().unwrap(),
                window_end: "2027-03-08T08:00:00Z".parse().unwrap(),
            },
            None,
        ),
    )
    .await;
    // A later announcement goes through the same queue after the replay.
    published_event(
        &app,
        &admin,
        json!({
            "title": "Ultimo concerto", "categories": ["music"],
            "starts_at": "2027-05-01T21:00:00+02:00", "ends_at": "2027-05-01T23:00:00+02:00"
        }),
    )
    .await;
    email(&app, "ivo@example.org", "Ultimo concerto").await;
    let notifier = app.db("notifier").await;
    let digests = piazza_notifier::db::deliveries::Entity::find()
        .filter(piazza_notifier::db::deliveries::Column::Kind.eq("weekly_digest"))
        .count(notifier.conn())
        .await
        .unwrap();
    assert_eq!(digests, 2, "one digest each for Mia and Leo, none for Ugo");
    assert_eq!(count_to(&app, "mia@example.org"), 2);
    assert_eq!(count_to(&app, "leo@example.org"), 2);
    assert_eq!(
        count_to(&app, "ugo@example.org"),
        1,
        "only the confirmation"
    );
    notifier.close().await;
    scheduler.db.close().await;
    app.stop().await;
}
