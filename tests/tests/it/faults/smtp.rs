//! The SMTP server away, as `/readyz` sees it: the notifier names the SMTP server when it stops
//! answering and recovers when it is back, on the same port, without a restart. (The fan-out
//! faults 1 and 2 are in `fanout.rs`.)

use piazza_e2e::{app::TestApp, eventually, mail::Mailbox};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

const OPS_TOKEN: &str = "monitoring-token-of-at-least-32-chars";

/// The `smtp` check of `/readyz`, and the overall status.
async fn smtp_check(app: &TestApp) -> (StatusCode, Value) {
    // Monitoring's token: it is told why a check failed.
    let (status, ready) = app.get("/readyz", Some(OPS_TOKEN)).await;
    let check = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "smtp")
        .cloned()
        .unwrap_or(Value::Null);
    (status, check)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_notifier_reports_its_smtp_server_down_and_back_in_readyz() {
    let mut app = TestApp::builder()
        .smtp()
        .services(&[piazza_notifier::SERVICE])
        .settings(|s| s.ops_token = Some(piazza_shared::secret::Secret::new(OPS_TOKEN.to_string())))
        .spawn()
        .await;
    let (status, check) = smtp_check(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(check["ok"], true, "{check}");

    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!("an SMTP mailbox was asked for")
    };
    server.stop().await;
    let (status, check) = smtp_check(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(check["ok"], false);
    assert!(check["error"].as_str().unwrap().contains("SMTP"), "{check}");

    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!("an SMTP mailbox was asked for")
    };
    server.start_again(&[]).await;
    eventually(
        "the SMTP check to pass again",
        Duration::from_secs(20),
        || async {
            let (status, check) = smtp_check(&app).await;
            (status == StatusCode::OK && check["ok"] == true).then_some(())
        },
    )
    .await;
    app.stop().await;
}
