//! Fault 3 for the notifier: its process killed with SIGKILL in the middle of an email fan-out
//! (its own process on PostgreSQL and RabbitMQ, a real SMTP server) and started again. No
//! recipient may go without the email, and the restarted process catches up within 30 s: started
//! on the same host and port, it takes back at once what its previous life had claimed (it holds
//! the database's lock of that name, which proves the previous life over). An email the server
//! accepted just before the kill, whose delivery row had not been marked sent, may go out again,
//! but only one that was in flight.

use super::{
    bus_settings,
    fanout::{count_effects, expect_emails, publish, received},
};
use piazza_e2e::{audience, deploy::Deployment, eventually, mail::Mailbox, tally::Tally};
use piazza_notifier::db::deliveries;
use piazza_shared::{contracts::Category, db::Db};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

const RECIPIENTS: usize = 2_000;
/// Emails in flight at once (and SMTP connections), set for the notifier process.
const CONCURRENCY: usize = 20;
/// How long after its restart the notifier may take to send every email the kill interrupted.
const CATCH_UP: Duration = Duration::from_secs(30);

/// The notifier's database, read directly.
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

/// Delivery rows in `state`.
async fn deliveries_in(db: &Db, state: &str) -> usize {
    let count = deliveries::Entity::find()
        .filter(deliveries::Column::State.eq(state))
        .count(db.conn())
        .await
        .unwrap();
    usize::try_from(count).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_3_the_notifier_killed_mid_fan_out_loses_no_email_and_resends_only_in_flight_ones() {
    kill_mid_fan_out_and_restart(
        &format!(
            "3 SIGKILL of the notifier mid fan-out (RabbitMQ, PostgreSQL, {RECIPIENTS} recipients, \
             {CONCURRENCY} in flight)"
        ),
        RECIPIENTS,
        BTreeMap::new(),
    )
    .await;
}

/// With a lease of an hour, only the restarted process taking back its own claims at once can
/// catch up within [`CATCH_UP`]: waiting out the lease would take an hour.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_3b_a_notifier_restarted_on_its_host_and_port_takes_back_its_claims_at_once() {
    let claimed_at_the_kill = kill_mid_fan_out_and_restart(
        "3b SIGKILL of the notifier mid fan-out, lease of an hour (500 recipients, 50/s)",
        500,
        // Slow enough that the kill finds emails claimed and not sent.
        [
            (
                "PIAZZA_EMAIL__LEASE_SECONDS".to_string(),
                "3600".to_string(),
            ),
            (
                "PIAZZA_EMAIL__RATE_PER_SECOND".to_string(),
                "50".to_string(),
            ),
        ]
        .into(),
    )
    .await;
    assert!(
        claimed_at_the_kill > 0,
        "the kill must interrupt claimed emails for this test to mean anything"
    );
}

/// Publishes an event to `recipients` subscribers, kills the notifier once a third have their
/// email, starts it again on the same port and checks every recipient gets it within
/// [`CATCH_UP`], with only in-flight emails sent twice. Returns how many emails were claimed
/// and unrecorded at the kill.
async fn kill_mid_fan_out_and_restart(
    title: &str,
    recipients: usize,
    extra: BTreeMap<String, String>,
) -> usize {
    let mut env = BTreeMap::from([(
        "PIAZZA_EMAIL__CONCURRENCY".to_string(),
        CONCURRENCY.to_string(),
    )]);
    env.extend(extra);
    let mut deployment = Deployment::distributed_services(&["notifier"], env).await;
    let db = notifier_db(&deployment).await;
    let music = audience::seed(&db, "young", recipients, Category::Music).await;
    let Mailbox::Smtp(server) = &deployment.mailbox else {
        unreachable!("a distributed deployment has an SMTP server")
    };
    let mut tally = Tally::new(title);

    let (_, namespace, queue_prefix) = deployment.names.clone().unwrap();
    let (_, concert) = audience::event("Concerto nel cortile", Category::Music);
    expect_emails(&mut tally, "Concerto nel cortile", &music);
    publish(
        &piazza_e2e::amqp_url(),
        &bus_settings(&namespace, &queue_prefix),
        &concert,
    )
    .await;
    received(server, recipients / 3, "a third of the fan-out").await;

    deployment.node_mut("notifier").kill().await;
    let Mailbox::Smtp(server) = &deployment.mailbox else {
        unreachable!()
    };
    let before = server.count();
    // What the kill interrupted: rows claimed whose outcome was never recorded. Only these can
    // be sent again; everything marked sent must not be.
    let unrecorded = deliveries_in(&db, "sending").await;
    let recorded = deliveries_in(&db, "sent").await;
    deployment.node_mut("notifier").restart().await;
    let restarted = Instant::now();

    let Mailbox::Smtp(server) = &deployment.mailbox else {
        unreachable!()
    };
    eventually("every recipient to have the email", CATCH_UP, || async {
        if server.count() < recipients {
            return None;
        }
        let arrived: BTreeSet<String> = server.messages().into_iter().map(|e| e.to).collect();
        if arrived.len() >= recipients {
            Some(())
        } else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            None
        }
    })
    .await;
    let caught_up = restarted.elapsed();
    // Anything sent twice would have gone by now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    count_effects(server, &mut tally);
    tally.note(
        "caught up after the restart (s)",
        format!("{:.1}", caught_up.as_secs_f64()),
    );
    tally.note("at the server at the kill", before);
    tally.note("marked sent at the kill", recorded);
    tally.note("claimed, unrecorded at the kill", unrecorded);
    tally.assert_resent_at_most(unrecorded.min(CONCURRENCY));
    assert_eq!(deliveries_in(&db, "failed").await, 0, "no email given up");
    db.close().await;
    deployment.stop().await;
    unrecorded
}
