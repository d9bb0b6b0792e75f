//! Fault 10: the SMTP connection breaks after an email's content went out, before the server's
//! reply (the server stored the email and hung up). The sender cannot know whether the email was
//! accepted, so it must not send it again by itself: the delivery is recorded `unknown`, counted
//! in `piazza_emails_total{outcome="unknown"}`, and the sender goes on with the next emails. An
//! operator finds it with `piazza emails unknown` and, the server's log showing it was not
//! taken, sends it again with `piazza emails resend`.

use piazza_e2e::{app::TestApp, eventually, mail::Mailbox, metrics, node, tally::Tally};
use piazza_notifier::db::deliveries;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

async fn subscribe(app: &TestApp, email: &str) {
    let (status, body) = app
        .post(
            "/api/v1/subscribers",
            None,
            &json!({ "email": email, "interests": ["music"], "birth_year": 2004,
                     "language": "it", "frequency": "instant" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_10_an_email_whose_reply_never_came_is_recorded_unknown_and_not_sent_again() {
    let mut app = TestApp::builder()
        .smtp()
        .services(&[piazza_notifier::SERVICE])
        .spawn()
        .await;
    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!("an SMTP mailbox was asked for")
    };
    // From now on the server stores every email for `lost-reply…` and hangs up without a word.
    server.stop().await;
    server
        .start_again(&["--drop-after-data", "lost-reply"])
        .await;
    let mut tally =
        Tally::new("10 SMTP connection lost after an email's content, before the reply");

    subscribe(&app, "lost-reply@example.org").await;
    tally.sent("lost-reply@example.org");
    let db = app.db("notifier").await;
    let state = eventually("the confirmation recorded as unknown", WAIT, || async {
        let row = deliveries::Entity::find()
            .filter(deliveries::Column::Recipient.eq("lost-reply@example.org"))
            .one(db.conn())
            .await
            .ok()
            .flatten()?;
        (row.state == "unknown").then_some(row)
    })
    .await;
    assert!(state.last_error.is_some(), "the cause is kept");

    // The sender goes on: the next email goes out, on a new connection.
    subscribe(&app, "next@example.org").await;
    tally.sent("next@example.org");
    let Mailbox::Smtp(server) = &app.mailbox else {
        unreachable!()
    };
    eventually("the next email", WAIT, || async {
        server
            .messages()
            .iter()
            .any(|e| e.to == "next@example.org")
            .then_some(())
    })
    .await;
    for email in server.messages() {
        tally.effect(email.to);
    }
    let unknown = metrics::value(
        &metrics::scrape(&app.base).await,
        "piazza_emails_total",
        &[("outcome", "unknown")],
    );
    tally.note("recorded unknown", 1);
    tally.note("counted unknown", unknown);
    tally.assert_exactly_once();
    assert!(unknown >= 1.0, "the unknown outcome is counted");
    let row = deliveries::Entity::find_by_id(state.id)
        .one(db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, "unknown", "left as it is, not retried");

    // What an operator does: lists the emails of unknown outcome…
    let (ok, listed) = node::run(&app.cli_env(), &["emails", "unknown", "--json"], "").await;
    assert!(ok, "{listed}");
    assert!(
        listed.contains(&row.id.to_string()) && listed.contains("lost-reply@example.org"),
        "{listed}"
    );
    // …and, the server being sound again, sends this one again on purpose.
    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!()
    };
    server.stop().await;
    server.start_again(&[]).await;
    let id = row.id.to_string();
    let (ok, said) = node::run(&app.cli_env(), &["emails", "resend", "--id", &id], "").await;
    assert!(ok && said.contains("1 of 1"), "{said}");
    eventually(
        "the email sent again on the operator's word",
        WAIT,
        || async {
            let row = deliveries::Entity::find_by_id(row.id)
                .one(db.conn())
                .await
                .ok()
                .flatten()?;
            (row.state == "sent").then_some(())
        },
    )
    .await;
    db.close().await;
    app.stop().await;
}
