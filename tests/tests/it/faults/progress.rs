//! A fan-out says how far it has got, where an operator waits for it: "k of n" in the notifier's
//! log while it runs and at the end, and `piazza_work_done` / `piazza_work_total` for
//! `work="fan_out"` in `/metrics`. The notifier runs as its own process (PostgreSQL, RabbitMQ, a
//! real SMTP server), paced so that the fan-out lasts a few seconds.

use super::{
    bus_settings,
    fanout::{publish, received},
};
use piazza_e2e::{audience, deploy::Deployment, eventually, mail::Mailbox, metrics};
use piazza_shared::{contracts::Category, db::Db};
use std::{collections::BTreeMap, time::Duration};

const RECIPIENTS: usize = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fan_out_tells_its_progress_in_the_log_and_the_metrics() {
    // 200 emails a second: at least three seconds, so the two-second progress line comes.
    let env = BTreeMap::from([("PIAZZA_EMAIL__RATE_PER_SECOND".to_string(), "200".into())]);
    let deployment = Deployment::distributed_services(&["notifier"], env).await;
    let (schema_prefix, namespace, queue_prefix) = deployment.names.clone().unwrap();
    let db = Db::connect_postgres(
        &piazza_e2e::database_url(),
        &format!("{schema_prefix}notifier"),
        2,
    )
    .await
    .unwrap();
    audience::seed(&db, "counted", RECIPIENTS, Category::Music).await;
    let (_, concert) = audience::event("Concerto in piazza", Category::Music);
    publish(
        &piazza_e2e::amqp_url(),
        &bus_settings(&namespace, &queue_prefix),
        &concert,
    )
    .await;
    let Mailbox::Smtp(server) = &deployment.mailbox else {
        unreachable!("a distributed deployment has an SMTP server")
    };
    received(server, RECIPIENTS, "every email of the fan-out").await;

    let node = &deployment.nodes[0];
    let logs = eventually(
        "the fan-out's last line",
        Duration::from_secs(10),
        || async {
            let logs = node.logs();
            logs.contains(&format!("{RECIPIENTS} of {RECIPIENTS} done"))
                .then_some(logs)
        },
    )
    .await;
    let midway: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains(&format!(" of {RECIPIENTS} (")))
        .filter(|l| !l.contains(&format!("{RECIPIENTS} of {RECIPIENTS} (")))
        .collect();
    assert!(!midway.is_empty(), "a line while the fan-out ran:\n{logs}");
    let text = metrics::scrape(&node.base_url).await;
    let work = [("work", "fan_out")];
    assert_eq!(
        metrics::value(&text, "piazza_work_total", &work),
        RECIPIENTS as f64
    );
    assert_eq!(
        metrics::value(&text, "piazza_work_done", &work),
        RECIPIENTS as f64
    );
}
