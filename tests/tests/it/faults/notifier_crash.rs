//! Fault 3 for the notifier: its process killed with SIGKILL in the middle of an email fan-out
//! (its own process on PostgreSQL and RabbitMQ, a real SMTP server) and started again, with the
//! default lease. No recipient may go without the email, and the restarted process catches up
//! within 30 s: it takes over the dead process's claims once their heartbeat has been still for
//! a lease. An email the server accepted just before the kill, whose delivery row had not been
//! marked sent, may go out again, but only one that was in flight.

use super::{
    bus_settings,
    fanout::{count_effects, expect_emails, publish, received},
};
use piazza_e2e::{audience, deploy::Deployment, eventually, mail::Mailbox, tally::Tally};
use piazza_notifier::db::deliveries;
use piazza_shared::{contracts::Category, db::Db};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::{
    collections::BTreeSet,
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
    let mut deployment = Deployment::distributed_services(
        &["notifier"],
        [(
            "PIAZZA_EMAIL__CONCURRENCY".to_string(),
            CONCURRENCY.to_string(),
        )]
        .into(),
    )
    .await;
    let db = notifier_db(&deployment).await;
    let music = audience::seed(&db, "young", RECIPIENTS, Category::Music).await;
    let Mailbox::Smtp(server) = &deployment.mailbox else {
        unreachable!("a distributed deployment has an SMTP server")
    };
    let mut tally = Tally::new(&format!(
        "3 SIGKILL of the notifier mid fan-out (RabbitMQ, PostgreSQL, {RECIPIENTS} recipients, \
         {CONCURRENCY} in flight)"
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
    received(server, RECIPIENTS / 3, "a third of the fan-out").await;

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
        if server.count() < RECIPIENTS {
            return None;
        }
        let recipients: BTreeSet<String> = server.messages().into_iter().map(|e| e.to).collect();
        if recipients.len() >= RECIPIENTS {
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
}
