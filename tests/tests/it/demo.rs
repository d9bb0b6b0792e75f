//! `piazza demo`, as a newcomer runs it: an empty Piazza is filled with a programme through the
//! API, the printed accounts sign in, the young people's emails are there, and a second run on a
//! filled Piazza adds nothing. On the embedded default and on PostgreSQL + RabbitMQ.

use piazza_e2e::{
    api::Api,
    deploy::Deployment,
    eventually,
    mail::Mailbox,
    node::{Node, demo_account},
};
use reqwest::StatusCode;
use std::{collections::BTreeSet, time::Duration};

const WAIT: Duration = Duration::from_secs(60);

async fn fill_and_check(deployment: Deployment) {
    let mut node = Node::start(
        "demo",
        deployment.env.clone(),
        &["demo"],
        deployment.dir.path(),
    )
    .await;
    let base = node.base_url.clone();
    let output = eventually("the demo to print how to sign in", WAIT, || async {
        let logs = node.logs();
        logs.contains("(the passwords are shown only now")
            .then_some(logs)
    })
    .await;
    let api = Api::new();

    // What a visitor sees: five spaces, eight published events.
    let (status, spaces) = api.get(&format!("{base}/api/v1/spaces"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spaces["items"].as_array().unwrap().len(), 5, "{spaces}");
    let (status, occurrences) = api
        .get(&format!("{base}/api/v1/events?limit=500"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let events: BTreeSet<&str> = occurrences["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["event_id"].as_str())
        .collect();
    assert_eq!(events.len(), 8, "{occurrences}");

    // The printed accounts sign in with their roles.
    let (operator, password) = demo_account(&output, "operator");
    let token = api.login(&base, &operator, &password).await;
    let (status, bookings) = api
        .get(&format!("{base}/api/v1/bookings"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let bookings = bookings["items"].as_array().unwrap().clone();
    assert!(!bookings.is_empty());
    assert!(
        bookings.iter().all(|b| b["status"] == "requested"),
        "the operator's request waits for the administrator: {bookings:?}"
    );
    let (evaluator, password) = demo_account(&output, "evaluator");
    let token = api.login(&base, &evaluator, &password).await;
    let (status, _) = api
        .get(&format!("{base}/api/v1/reports/outreach"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (admin, password) = demo_account(&output, "administrator");
    let token = api.login(&base, &admin, &password).await;
    let (status, calls) = api.get(&format!("{base}/api/v1/calls"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(calls.as_array().map(Vec::len), Some(1), "{calls}");

    // The young people's emails: confirmations everywhere, and where the demo could follow them
    // (emails as files), the announcements of the events matching their interests.
    let mailbox = &deployment.mailbox;
    eventually("the confirmation emails", WAIT, || async {
        let confirmations = mailbox
            .messages()
            .iter()
            .filter(|m| m.link("/subscriptions/confirm").is_some())
            .count();
        (confirmations >= 3).then_some(())
    })
    .await;
    if let Mailbox::Files(_) = mailbox {
        let giulia = eventually("Giulia's announcement", WAIT, || async {
            let to_her = mailbox.to("giulia.demo@example.org");
            to_her
                .iter()
                .any(|m| {
                    m.subject.contains("Open mic nel Cortile")
                        && m.subject.starts_with("Nuovo evento")
                })
                .then_some(to_her)
        })
        .await;
        assert!(
            !giulia.iter().any(|m| m.subject.contains("Cineforum")),
            "only her interests are announced to her"
        );
    }
    assert!(node.terminate().await, "{}", node.logs());

    // A second run finds spaces and adds nothing.
    let (ok, again) = piazza_e2e::node::run(&deployment.env, &["demo", "--fill-only"], "").await;
    assert!(ok, "{again}");
    assert!(again.contains("already has spaces"), "{again}");
    let mut node = Node::start("piazza", deployment.env.clone(), &[], deployment.dir.path()).await;
    let (_, spaces) = api
        .get(&format!("{}/api/v1/spaces", node.base_url), None)
        .await;
    assert_eq!(spaces["items"].as_array().map(Vec::len), Some(5));
    node.terminate().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_an_empty_embedded_piazza_that_its_printed_accounts_sign_in_to() {
    let deployment = Deployment::embedded_idle();
    fill_and_check(deployment).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_fills_an_empty_piazza_on_postgres_and_rabbitmq() {
    let deployment = Deployment::distributed_services(&[], Default::default()).await;
    fill_and_check(deployment).await;
}
