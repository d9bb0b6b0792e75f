//! Event emails: a published event reaches the instant subscribers whose interests match, each
//! in their language with the one-click headers; a message seen twice (redelivered, or replayed
//! with a new id) sends one email; an unsubscribe that lands before the send wins; a refused
//! address (5xx) is marked and never written to again, a deferred email (4xx) is retried.

use super::{WAIT, app, count_to, email, local, publish, published_event, subscriber};
use piazza_e2e::{eventually, mail::Mailbox};
use piazza_shared::{
    Envelope,
    contracts::{
        Category,
        event::{EventPublished, EventSummary, Occurrence},
    },
};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_event_reaches_matching_subscribers_in_their_language_with_one_click_headers() {
    let app = app().await;
    let admin = app.admin().await;
    subscriber(&app, "giulia@example.org", &["music"], "it", "instant").await;
    subscriber(
        &app,
        "tom@example.org",
        &["music", "dance"],
        "en",
        "instant",
    )
    .await;
    subscriber(&app, "teo@example.org", &["theatre"], "it", "instant").await;
    subscriber(&app, "wendy@example.org", &["music"], "en", "weekly").await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Concerto in cortile", "description": "Musica dal vivo.",
            "categories": ["music"], "age_min": 14, "age_max": 29,
            "starts_at": "2027-03-30T18:00:00+02:00", "ends_at": "2027-03-30T20:00:00+02:00"
        }),
    )
    .await;
    let it = email(&app, "giulia@example.org", "Concerto in cortile").await;
    assert!(it.subject.starts_with("Nuovo evento"), "{}", it.subject);
    assert!(
        it.text.contains("martedì 30 marzo 2027, 18:00–20:00"),
        "{}",
        it.text
    );
    assert!(it.html.contains("<html lang=\"it\">"));
    let en = email(&app, "tom@example.org", "Concerto in cortile").await;
    assert!(en.subject.starts_with("New event"), "{}", en.subject);
    assert!(
        en.text.contains("Tuesday, 30 March 2027, 18:00–20:00"),
        "{}",
        en.text
    );
    for news in [&it, &en] {
        let header = news.header("List-Unsubscribe").expect("List-Unsubscribe");
        assert!(
            header.starts_with("<http") && header.ends_with('>'),
            "{header}"
        );
        assert!(header.contains("/subscriptions/unsubscribe?token="));
        assert_eq!(
            news.header("List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(news.raw.contains("multipart/alternative"));
        assert!(news.link("/subscriptions/manage").is_some());
    }

    // The theatre lover hears of a theatre event, and heard nothing of the concert; the weekly
    // reader waits for the digest.
    published_event(
        &app,
        &admin,
        json!({
            "title": "Commedia dell'arte", "categories": ["theatre"],
            "starts_at": "2027-04-02T21:00:00+02:00", "ends_at": "2027-04-02T23:00:00+02:00"
        }),
    )
    .await;
    email(&app, "teo@example.org", "Commedia").await;
    assert_eq!(
        count_to(&app, "teo@example.org"),
        2,
        "confirmation and theatre"
    );
    assert_eq!(
        count_to(&app, "wendy@example.org"),
        1,
        "only the confirmation"
    );
    assert_eq!(count_to(&app, "giulia@example.org"), 2);
    app.stop().await;
}

fn announcement(event_id: uuid::Uuid) -> EventPublished {
    let starts_at = "2027-06-01T17:00:00Z".parse().unwrap();
    EventPublished {
        version: 1,
        event: EventSummary {
            event_id,
            title: "Festa della musica".into(),
            description: String::new(),
            categories: vec![Category::Music],
            age_min: None,
            age_max: None,
            time_zone: "Europe/Rome".into(),
            occurrences: vec![Occurrence {
                occurrence_id: uuid::Uuid::now_v7(),
                starts_at,
                ends_at: starts_at + chrono::Duration::hours(3),
            }],
            place: None,
            capacity: None,
            funding_line: None,
            season_id: None,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_seen_twice_sends_one_email() {
    let app = app().await;
    subscriber(&app, "ada@example.org", &["music"], "it", "instant").await;
    subscriber(&app, "bob@example.org", &["music"], "en", "instant").await;
    let message = announcement(uuid::Uuid::now_v7());
    let envelope = Envelope::new("scheduler", &message, None);
    // The same envelope twice (a redelivery), then the same news under a new id (a replay).
    publish(&app, &envelope).await;
    publish(&app, &envelope).await;
    publish(&app, &Envelope::new("scheduler", &message, None)).await;
    email(&app, "ada@example.org", "Festa della musica").await;
    email(&app, "bob@example.org", "Festa della musica").await;
    // A later event, past all three messages: once it is in, so would any duplicate be.
    publish(
        &app,
        &Envelope::new("scheduler", &announcement(uuid::Uuid::now_v7()), None),
    )
    .await;
    eventually("the later announcement", WAIT, || async {
        (count_to(&app, "ada@example.org") == 3 && count_to(&app, "bob@example.org") == 3)
            .then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        count_to(&app, "ada@example.org"),
        3,
        "confirmation and two events"
    );
    assert_eq!(count_to(&app, "bob@example.org"), 3);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsubscribe_that_lands_before_the_send_wins() {
    let mut app = app().await;
    let admin = app.admin().await;
    let stays = subscriber(&app, "stays@example.org", &["music"], "it", "instant").await;
    subscriber(&app, "leaves@example.org", &["music"], "it", "instant").await;
    drop(stays);
    // An earlier event gives the leaver an email with the unsubscribe link.
    published_event(
        &app,
        &admin,
        json!({
            "title": "Primo concerto", "categories": ["music"],
            "starts_at": "2027-03-01T21:00:00+01:00", "ends_at": "2027-03-01T23:00:00+01:00"
        }),
    )
    .await;
    let first = email(&app, "leaves@example.org", "Primo concerto").await;
    email(&app, "stays@example.org", "Primo concerto").await;
    let one_click = local(
        &app,
        first
            .header("List-Unsubscribe")
            .unwrap()
            .trim_matches(['<', '>']),
    );

    // The mail server goes away; the next event's emails wait in the notifier.
    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!()
    };
    server.stop().await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Secondo concerto", "categories": ["music"],
            "starts_at": "2027-03-08T21:00:00+01:00", "ends_at": "2027-03-08T23:00:00+01:00"
        }),
    )
    .await;
    let notifier = app.db("notifier").await;
    eventually("the second event's emails to be queued", WAIT, || async {
        let rows = piazza_notifier::db::deliveries::Entity::find()
            .filter(piazza_notifier::db::deliveries::Column::Kind.eq("event_published"))
            .count(notifier.conn())
            .await
            .unwrap();
        (rows == 4).then_some(())
    })
    .await;
    let left = app
        .api
        .raw()
        .post(&one_click)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), StatusCode::OK);

    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!()
    };
    server.start_again(&[]).await;
    email(&app, "stays@example.org", "Secondo concerto").await;
    eventually("the leaver's email to be dropped", WAIT, || async {
        let row = piazza_notifier::db::deliveries::Entity::find()
            .filter(piazza_notifier::db::deliveries::Column::Recipient.eq("leaves@example.org"))
            .filter(piazza_notifier::db::deliveries::Column::State.eq("cancelled"))
            .one(notifier.conn())
            .await
            .unwrap();
        row.map(|_| ())
    })
    .await;
    assert!(
        app.mailbox
            .to("leaves@example.org")
            .iter()
            .all(|e| !e.subject.contains("Secondo concerto"))
    );
    notifier.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_address_is_never_written_to_again_and_a_deferred_email_is_retried() {
    let mut app = app().await;
    let admin = app.admin().await;
    for address in ["bounce@example.org", "slow@example.org", "fine@example.org"] {
        subscriber(&app, address, &["music"], "it", "instant").await;
    }
    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!()
    };
    server.stop().await;
    server
        .start_again(&["--reject-rcpt", "bounce", "--defer-rcpt", "slow"])
        .await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Primo live", "categories": ["music"],
            "starts_at": "2027-03-01T21:00:00+01:00", "ends_at": "2027-03-01T23:00:00+01:00"
        }),
    )
    .await;
    email(&app, "fine@example.org", "Primo live").await;
    let notifier = app.db("notifier").await;
    let row = |to: &'static str| {
        let conn = notifier.conn().clone();
        async move {
            piazza_notifier::db::deliveries::Entity::find()
                .filter(piazza_notifier::db::deliveries::Column::Kind.eq("event_published"))
                .filter(piazza_notifier::db::deliveries::Column::Recipient.eq(to))
                .one(&conn)
                .await
                .unwrap()
        }
    };
    let refused = eventually("the 550 to be recorded", WAIT, || async {
        row("bounce@example.org")
            .await
            .filter(|r| r.state == "failed")
    })
    .await;
    assert!(refused.last_error.unwrap().contains("550"));
    let suppressed = piazza_notifier::db::suppressions::Entity::find_by_id("bounce@example.org")
        .one(notifier.conn())
        .await
        .unwrap();
    assert!(suppressed.is_some(), "a 5xx marks the address");
    let deferred = eventually("the 451 to be recorded", WAIT, || async {
        row("slow@example.org")
            .await
            .filter(|r| r.state == "pending" && r.attempts >= 1)
    })
    .await;
    assert!(deferred.last_error.unwrap().contains("451"));

    // The server accepts everyone again: the deferred email goes; the refused address is not
    // tried again, not even for the next event.
    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!()
    };
    server.stop().await;
    server.start_again(&[]).await;
    email(&app, "slow@example.org", "Primo live").await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Secondo live", "categories": ["music"],
            "starts_at": "2027-03-08T21:00:00+01:00", "ends_at": "2027-03-08T23:00:00+01:00"
        }),
    )
    .await;
    email(&app, "fine@example.org", "Secondo live").await;
    email(&app, "slow@example.org", "Secondo live").await;
    eventually(
        "the refused address's second email to be dropped",
        WAIT,
        || async {
            piazza_notifier::db::deliveries::Entity::find()
                .filter(piazza_notifier::db::deliveries::Column::Recipient.eq("bounce@example.org"))
                .filter(piazza_notifier::db::deliveries::Column::State.eq("cancelled"))
                .one(notifier.conn())
                .await
                .unwrap()
        },
    )
    .await;
    assert_eq!(
        count_to(&app, "bounce@example.org"),
        1,
        "only the confirmation"
    );
    notifier.close().await;
    app.stop().await;
}
