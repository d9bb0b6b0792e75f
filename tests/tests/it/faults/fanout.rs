//! Faults 1 and 2, in the middle of a fan-out of one event to 5,000 subscribers (the notifier on
//! PostgreSQL, a real SMTP server, RabbitMQ): the broker restarted, and the SMTP server down for a
//! while. Each email is an item: (event, recipient). The SMTP server's folder says what arrived.

use piazza_e2e::{
    app::TestApp, audience, broker::PrivateBroker, eventually, mail::Mailbox, smtp::SmtpServer,
    tally::Tally,
};
use piazza_shared::{
    Envelope,
    bus::{Bus, amqp::AmqpBus},
    contracts::Category,
    secret::Secret,
    settings::BusSettings,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::{
    collections::HashSet,
    time::{Duration, Instant},
};

const RECIPIENTS: usize = 5_000;
const WAIT: Duration = Duration::from_secs(240);

fn server(app: &TestApp) -> &SmtpServer {
    match &app.mailbox {
        Mailbox::Smtp(server) => server,
        Mailbox::Files(_) => unreachable!("an SMTP server was asked for"),
    }
}

fn server_mut(app: &mut TestApp) -> &mut SmtpServer {
    match &mut app.mailbox {
        Mailbox::Smtp(server) => server,
        Mailbox::Files(_) => unreachable!("an SMTP server was asked for"),
    }
}

/// Publishes on `amqp_url` under the deployment's names.
pub(super) async fn publish(amqp_url: &str, bus: &BusSettings, envelope: &Envelope) {
    let client = AmqpBus::new(Secret::new(amqp_url.to_string()), bus.clone(), "fault-test");
    client.publish(envelope).await.unwrap();
}

/// Waits until the SMTP server holds `count` messages.
pub(super) async fn received(server: &SmtpServer, count: usize, what: &str) {
    eventually(what, WAIT, || async {
        (server.count() >= count).then_some(())
    })
    .await;
}

/// Counts every email the server received against the tally, by subject and recipient.
pub(super) fn count_effects(server: &SmtpServer, tally: &mut Tally) {
    for email in server.messages() {
        tally.effect(format!("{} → {}", email.subject, email.to));
    }
}

/// Records as sent one email of `title` to each of `addresses`, in each one's language.
pub(super) fn expect_emails(tally: &mut Tally, title: &str, addresses: &[String]) {
    for (n, address) in addresses.iter().enumerate() {
        // The audience alternates Italian and English.
        let subject = if n % 2 == 0 {
            format!("Nuovo evento: {title}")
        } else {
            format!("New event: {title}")
        };
        tally.sent(format!("{subject} → {address}"));
    }
}

/// Delivery rows that were given up (there must be none).
async fn given_up(app: &TestApp) -> u64 {
    let db = app.db("notifier").await;
    let failed = piazza_notifier::db::deliveries::Entity::find()
        .filter(piazza_notifier::db::deliveries::Column::State.eq("failed"))
        .count(db.conn())
        .await
        .unwrap();
    db.close().await;
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_1_a_broker_restart_in_the_middle_of_a_fan_out_sends_every_email_once() {
    let mut broker = PrivateBroker::start().await;
    let amqp_url = broker.url();
    let url = amqp_url.clone();
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .smtp()
        .services(&[piazza_notifier::SERVICE])
        .settings(move |s| s.amqp_url = Some(Secret::new(url)))
        .spawn()
        .await;
    let db = app.db("notifier").await;
    let music = audience::seed(&db, "young", RECIPIENTS, Category::Music).await;
    let theatre = audience::seed(&db, "stage", 200, Category::Theatre).await;
    db.close().await;
    let mut tally = Tally::new("1 RabbitMQ restarted mid fan-out (private node, 5,000 recipients)");

    let (_, concert) = audience::event("Concerto nel cortile", Category::Music);
    expect_emails(&mut tally, "Concerto nel cortile", &music);
    publish(&amqp_url, &app.settings.bus, &concert).await;
    received(server(&app), RECIPIENTS / 3, "a third of the fan-out").await;

    let before = server(&app).count();
    let stopped = Instant::now();
    broker.stop().await;
    broker.start_again().await;
    let away = stopped.elapsed();
    // A publisher that lost its confirm in the restart publishes again: the same message.
    publish(&amqp_url, &app.settings.bus, &concert).await;
    // And the broker carries new work once it is back.
    let (_, play) = audience::event("Prova aperta", Category::Theatre);
    expect_emails(&mut tally, "Prova aperta", &theatre);
    publish(&amqp_url, &app.settings.bus, &play).await;

    received(server(&app), RECIPIENTS + theatre.len(), "every email").await;
    // Anything doubled would have been sent by now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    count_effects(server(&app), &mut tally);
    tally.note("sent before the restart", before);
    tally.note("broker away (ms)", away.as_millis());
    tally.assert_exactly_once();
    assert_eq!(given_up(&app).await, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_2_an_smtp_server_down_during_a_fan_out_gets_every_email_once_when_back() {
    let mut app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .smtp()
        .services(&[piazza_notifier::SERVICE])
        .spawn()
        .await;
    let db = app.db("notifier").await;
    let music = audience::seed(&db, "young", RECIPIENTS, Category::Music).await;
    db.close().await;
    let mut tally = Tally::new("2 SMTP server down mid fan-out (5,000 recipients)");

    let (_, concert) = audience::event("Concerto nel cortile", Category::Music);
    expect_emails(&mut tally, "Concerto nel cortile", &music);
    publish(&piazza_e2e::amqp_url(), &app.settings.bus, &concert).await;
    received(server(&app), RECIPIENTS / 3, "a third of the fan-out").await;

    server_mut(&mut app).stop().await;
    let before = server(&app).count();
    // Down for a while: longer than several of the sender's retries.
    let down = Duration::from_secs(8);
    tokio::time::sleep(down).await;
    let during = server(&app).count();
    assert_eq!(during, before, "nothing arrives while the server is down");
    server_mut(&mut app).start_again(&[]).await;

    // The emails whose content was on the wire when the server died have an unknown outcome:
    // recorded, never sent again by themselves. Everything else arrives.
    let db = app.db("notifier").await;
    let unknown = eventually("every email sent or recorded unknown", WAIT, || async {
        let unsettled = deliveries_in(&db, &["pending", "sending"]).await;
        let unknown = piazza_notifier::unknown::list(db.conn()).await.ok()?;
        (unsettled == 0 && server(&app).count() + unknown.len() >= RECIPIENTS).then_some(unknown)
    })
    .await;
    assert!(
        unknown.len()
            <= app
                .settings
                .section::<piazza_notifier::config::EmailSettings>()
                .unwrap()
                .concurrency as usize,
        "only emails in flight at the outage can be of unknown outcome: {}",
        unknown.len()
    );
    // What an operator does: sends again those the server's folder (its log) does not have.
    let arrived: HashSet<String> = server(&app).messages().into_iter().map(|e| e.to).collect();
    let missing: Vec<_> = unknown
        .iter()
        .filter(|e| !arrived.contains(&e.recipient))
        .map(|e| e.id)
        .collect();
    piazza_notifier::unknown::resend(db.conn(), &missing)
        .await
        .unwrap();
    db.close().await;
    received(
        server(&app),
        RECIPIENTS,
        "every email after the server is back",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    count_effects(server(&app), &mut tally);
    tally.note("sent before the outage", before);
    tally.note("server down (s)", down.as_secs());
    tally.note("of unknown outcome", unknown.len());
    tally.note("of those, sent again by the operator", missing.len());
    tally.assert_exactly_once();
    assert_eq!(given_up(&app).await, 0, "no email given up for the outage");
    app.stop().await;
}

/// Delivery rows in any of `states`.
async fn deliveries_in(db: &piazza_shared::db::Db, states: &[&str]) -> usize {
    let count = piazza_notifier::db::deliveries::Entity::find()
        .filter(piazza_notifier::db::deliveries::Column::State.is_in(states.iter().copied()))
        .count(db.conn())
        .await
        .unwrap();
    usize::try_from(count).unwrap()
}
