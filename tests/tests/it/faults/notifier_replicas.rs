//! Faults 8 and 9: two notifier replicas (separate processes on PostgreSQL and RabbitMQ, one SMTP
//! server) sharing one fan-out of 5,000 emails. Each email is an item: (event, recipient); the
//! SMTP server's folder says what arrived.
//!
//! 8. One replica is slow (`email.rate_per_second = 2`), so each of its rounds lasts about ten
//!    seconds — longer than the three-second lease the test sets — while the other sends at full
//!    speed and keeps looking for emails to take: a replica whose claims outlast their lease must
//!    still be the only one to send them. Nothing may go twice.
//! 9. One replica killed with SIGKILL mid fan-out (default lease): the other takes over its claims
//!    and every email goes (the time after the kill is printed: 13.8 s on a quiet machine, the
//!    README says within 30 s); only emails in flight at the kill may go twice.

use super::{
    bus_settings,
    fanout::{count_effects, expect_emails, publish},
};
use piazza_e2e::{
    audience, deploy::Deployment, eventually, mail::Mailbox, metrics, smtp::SmtpServer,
    tally::Tally,
};
use piazza_shared::{contracts::Category, db::Db};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

const RECIPIENTS: usize = 5_000;
/// Emails in flight at once per replica.
const CONCURRENCY: usize = 20;
const WAIT: Duration = Duration::from_secs(240);

async fn notifier_db(deployment: &Deployment) -> Db {
    let (schema_prefix, _, _) = deployment.names.as_ref().unwrap();
    Db::connect_postgres(
        &piazza_e2e::database_url(),
        &format!("{schema_prefix}notifier"),
        2,
    )
    .await
    .unwrap()
}

fn server(deployment: &Deployment) -> &SmtpServer {
    match &deployment.mailbox {
        Mailbox::Smtp(server) => server,
        Mailbox::Files(_) => unreachable!("a distributed deployment has an SMTP server"),
    }
}

fn settings(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Waits until every recipient has an email (or `limit` passes).
async fn everyone_reached(server: &SmtpServer, limit: Duration) {
    eventually("every recipient to have the email", limit, || async {
        if server.count() < RECIPIENTS {
            return None;
        }
        let recipients: BTreeSet<String> = server.messages().into_iter().map(|e| e.to).collect();
        if recipients.len() >= RECIPIENTS {
            Some(())
        } else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            None
        }
    })
    .await;
}

/// Emails a replica counted as sent, from its `/metrics`.
async fn sent_by(base: &str) -> f64 {
    metrics::value(
        &metrics::scrape(base).await,
        "piazza_emails_total",
        &[("outcome", "sent")],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_8_two_notifier_replicas_one_slow_send_every_email_of_a_fan_out_once() {
    let lease = [
        ("PIAZZA_EMAIL__LEASE_SECONDS", "3".to_string()),
        ("PIAZZA_EMAIL__HEARTBEAT_SECONDS", "1".to_string()),
        ("PIAZZA_EMAIL__CONCURRENCY", CONCURRENCY.to_string()),
    ];
    let mut deployment = Deployment::distributed_services(&["notifier"], settings(&lease)).await;
    deployment
        .add_node(
            "notifier-slow",
            "notifier",
            settings(&[("PIAZZA_EMAIL__RATE_PER_SECOND", "2".to_string())]),
        )
        .await;
    let db = notifier_db(&deployment).await;
    let music = audience::seed(&db, "young", RECIPIENTS, Category::Music).await;
    db.close().await;
    let mut tally = Tally::new(&format!(
        "8 two notifier replicas, one at 2 emails/s (rounds ~10 s, lease 3 s), one fan-out of \
         {RECIPIENTS}"
    ));

    let (_, namespace, queue_prefix) = deployment.names.clone().unwrap();
    let (_, concert) = audience::event("Concerto nel cortile", Category::Music);
    expect_emails(&mut tally, "Concerto nel cortile", &music);
    let published = Instant::now();
    publish(
        &piazza_e2e::amqp_url(),
        &bus_settings(&namespace, &queue_prefix),
        &concert,
    )
    .await;
    everyone_reached(server(&deployment), WAIT).await;
    let took = published.elapsed();
    // Anything sent twice would have gone by now: the slow replica's last round included.
    tokio::time::sleep(Duration::from_secs(12)).await;
    count_effects(server(&deployment), &mut tally);
    let fast = sent_by(deployment.url("notifier")).await;
    let slow = sent_by(&deployment.nodes[1].base_url).await;
    tally.note("sent by the fast replica", fast);
    tally.note("sent by the slow one", slow);
    tally.note("fan-out (s)", format!("{:.1}", took.as_secs_f64()));
    tally.assert_exactly_once();
    assert!(slow > 0.0, "the slow replica took part");
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_9_a_notifier_replica_killed_mid_fan_out_is_taken_over_by_the_other() {
    let mut deployment = Deployment::distributed_services(
        &["notifier"],
        settings(&[("PIAZZA_EMAIL__CONCURRENCY", CONCURRENCY.to_string())]),
    )
    .await;
    deployment
        .add_node("notifier-2", "notifier", BTreeMap::new())
        .await;
    let db = notifier_db(&deployment).await;
    let music = audience::seed(&db, "young", RECIPIENTS, Category::Music).await;
    let mut tally = Tally::new(&format!(
        "9 one of two notifier replicas killed mid fan-out ({RECIPIENTS} recipients, default \
         lease)"
    ));

    let (_, namespace, queue_prefix) = deployment.names.clone().unwrap();
    let (_, concert) = audience::event("Concerto nel cortile", Category::Music);
    expect_emails(&mut tally, "Concerto nel cortile", &music);
    publish(
        &piazza_e2e::amqp_url(),
        &bus_settings(&namespace, &queue_prefix),
        &concert,
    )
    .await;
    eventually("a third of the fan-out", WAIT, || async {
        (server(&deployment).count() >= RECIPIENTS / 3).then_some(())
    })
    .await;
    deployment.node_mut("notifier").kill().await;
    let killed = Instant::now();
    let before = server(&deployment).count();
    // The takeover needs the lease (10 s) and a round: 13.8 s on a quiet 2-core machine, within
    // the README's 30 s. The time is printed, not asserted: a suite run on a loaded machine must
    // not fail on it (the bound only keeps a takeover that never comes from hanging the suite).
    everyone_reached(server(&deployment), Duration::from_secs(180)).await;
    let caught_up = killed.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    count_effects(server(&deployment), &mut tally);
    tally.note("at the server at the kill", before);
    tally.note(
        "all sent after the kill (s)",
        format!("{:.1}", caught_up.as_secs_f64()),
    );
    tally.assert_resent_at_most(CONCURRENCY);
    db.close().await;
    deployment.stop().await;
}
