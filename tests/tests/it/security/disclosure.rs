//! What the public answers must not tell: the address of an imported calendar (it often holds a
//! secret token) and why fetching it failed (a port-probing oracle) are for administrators; why a
//! `/readyz` check failed is for monitoring (the `ops_token`) and administrators.

use piazza_e2e::{ServiceSections, app::TestApp, mail::Mailbox};
use piazza_shared::{
    auth::{Claims, Keys, Role, caller::API_TOKEN},
    secret::Secret,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET_FEED: &str = "s3cret-feed-token";

#[tokio::test]
async fn feed_addresses_and_their_errors_are_shown_to_administrators_only() {
    let app = TestApp::builder()
        .settings(|s| {
            s.scheduler().jobs_enabled = false;
            s.scheduler().import_allowed_hosts = vec!["127.0.0.1".into()];
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI"))
        .await;
    let evaluator = app.user("eval@monitor.test", Role::Evaluator, None).await;
    let (status, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Autunno", "starts_on": "2027-09-01", "ends_on": "2027-12-31" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{season}");
    let season = season["id"].as_str().unwrap().to_string();
    // Port 9 (discard) is closed on this machine: the fetch fails, whatever the reason given.
    let url = format!("http://127.0.0.1:9/calendar.ics?token={SECRET_FEED}");
    let (status, created) = app
        .post(
            &format!("/api/v1/seasons/{season}/feeds"),
            Some(&admin),
            &json!({ "url": url, "name": "Teatro" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["outcome"], "failed", "{created}");

    let path = format!("/api/v1/seasons/{season}");
    for (who, token) in [
        ("anyone", None),
        ("an operator", Some(operator.as_str())),
        ("an evaluator", Some(evaluator.as_str())),
    ] {
        for shown in [
            app.get(&path, token).await,
            app.get("/api/v1/seasons", token).await,
        ] {
            assert_eq!(shown.0, StatusCode::OK, "{who}: {}", shown.1);
            let text = shown.1.to_string();
            assert!(
                !text.contains(SECRET_FEED) && !text.contains("127.0.0.1"),
                "{who} sees the feed: {text}"
            );
            assert!(shown.1.get("feed_problems").is_none(), "{who}: {text}");
        }
    }
    let (_, shown) = app.get(&path, Some(&admin)).await;
    let problem = &shown["feed_problems"][0];
    assert!(
        problem["url"].as_str().unwrap().contains(SECRET_FEED),
        "{shown}"
    );
    assert!(!problem["error"].as_str().unwrap().is_empty(), "{shown}");
    app.stop().await;
}

const OPS_TOKEN: &str = "monitoring-token-of-at-least-32-chars";

fn token(app: &TestApp, role: Role) -> String {
    Keys::from_settings(&app.settings).unwrap().sign(
        API_TOKEN,
        &Claims {
            sub: uuid::Uuid::now_v7(),
            email: format!("{}@comune.test", role.as_str()),
            role,
            org: None,
            org_name: None,
            sid: None,
            sv: 0,
            sectors: Vec::new(),
        },
        piazza_shared::clock::now() + chrono::Duration::hours(1),
    )
}

/// `/readyz` as `token` sees it: the status and the `smtp` check.
async fn readiness(app: &TestApp, token: Option<&str>) -> (StatusCode, Value) {
    let (status, ready) = app.get("/readyz", token).await;
    let checks = ready["checks"].as_array().unwrap().clone();
    let smtp = checks
        .iter()
        .find(|c| c["name"] == "smtp")
        .cloned()
        .unwrap_or(Value::Null);
    (status, smtp)
}

#[tokio::test]
async fn readyz_says_why_a_check_failed_only_to_monitoring_and_administrators() {
    let mut app = TestApp::builder()
        .smtp()
        .services(&[piazza_notifier::SERVICE])
        .settings(|s| s.ops_token = Some(Secret::new(OPS_TOKEN.to_string())))
        .spawn()
        .await;
    let Mailbox::Smtp(server) = &mut app.mailbox else {
        unreachable!("an SMTP mailbox was asked for")
    };
    server.stop().await;
    let operator = token(&app, Role::Operator);
    for (who, token) in [
        ("anyone", None),
        ("an operator", Some(operator.as_str())),
        (
            "a wrong token",
            Some("not-the-ops-token-but-long-enough-to-be"),
        ),
    ] {
        let (status, smtp) = readiness(&app, token).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{who}");
        assert_eq!(smtp["ok"], false, "{who}");
        assert!(smtp.get("error").is_none(), "{who} is told why: {smtp}");
    }
    let admin = token(&app, Role::Admin);
    for (who, token) in [("monitoring", OPS_TOKEN), ("an administrator", &admin)] {
        let (status, smtp) = readiness(&app, Some(token)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{who}");
        assert!(
            smtp["error"].as_str().is_some_and(|e| e.contains("SMTP")),
            "{who} is told why: {smtp}"
        );
    }
    app.stop().await;
}
