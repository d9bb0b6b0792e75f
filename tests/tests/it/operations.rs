//! The operational routes every listener serves, in each form Piazza runs in.

use piazza_e2e::{
    api::Api,
    app::{Database, TestApp},
    deploy::Deployment,
};
use reqwest::StatusCode;

/// `/healthz`, `/readyz` (naming each database, the bus and the `extra` dependencies), `/metrics`
/// and the OpenAPI document, which lists `paths`.
async fn operational_routes_answer(
    base: &str,
    databases: &[&str],
    bus: &str,
    extra: &[&str],
    paths: &[&str],
) {
    let api = Api::new();
    let (status, health) = api.get(&format!("{base}/healthz"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["status"], "ok");

    let (status, ready) = api.get(&format!("{base}/readyz"), None).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    let mut names: Vec<String> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    let mut expected: Vec<String> = databases
        .iter()
        .map(|d| format!("database:{d}"))
        .chain([format!("bus:{bus}")])
        .chain(extra.iter().map(|e| e.to_string()))
        .collect();
    expected.sort();
    assert_eq!(names, expected);

    let metrics = api
        .raw()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("piazza_http_requests_total"), "{metrics}");

    let (status, openapi) = api.get(&format!("{base}/api/openapi.json"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in paths {
        assert!(
            openapi["paths"].get(*path).is_some(),
            "{path} missing from {base}/api/openapi.json"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listener_serves_health_readiness_metrics_and_its_contract_when_distributed() {
    let deployment = Deployment::distributed().await;
    for (service, path) in [
        ("booking", "/api/v1/spaces"),
        ("scheduler", "/api/v1/events"),
        ("notifier", "/api/v1/subscribers"),
        ("monitoring", "/api/v1/indicators"),
    ] {
        // The notifier also checks the SMTP server it sends through.
        let extra: &[&str] = if service == "notifier" {
            &["smtp"]
        } else {
            &[]
        };
        operational_routes_answer(
            deployment.url(service),
            &[service],
            "rabbitmq",
            extra,
            &[path],
        )
        .await;
        let (_, openapi) = Api::new()
            .get(
                &format!("{}/api/openapi.json", deployment.url(service)),
                None,
            )
            .await;
        let paths = openapi["paths"].as_object().unwrap();
        if service != "booking" {
            assert!(
                !paths.contains_key("/api/v1/spaces"),
                "{service} serves only its own paths"
            );
        }
    }
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_listener_serves_every_service_and_the_operational_routes() {
    for database in [Database::Sqlite, Database::Postgres] {
        let app = TestApp::builder().database(database).spawn().await;
        operational_routes_answer(
            &app.base,
            &["booking", "scheduler", "notifier", "monitoring"],
            "in-process",
            &[],
            &[
                "/api/v1/spaces",
                "/api/v1/events",
                "/api/v1/subscribers",
                "/api/v1/indicators",
            ],
        )
        .await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_route_is_a_problem_document() {
    let app = TestApp::builder().spawn().await;
    let response = app
        .api
        .raw()
        .get(app.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bad_setting_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let env = std::collections::BTreeMap::from([
        (
            "PIAZZA_DATA_DIR".to_string(),
            dir.path().display().to_string(),
        ),
        (
            "PIAZZA_SCHEDULER__DIGEST_CRON".into(),
            "every monday".into(),
        ),
    ]);
    let (ok, output) = piazza_e2e::node::run(&env, &[], "").await;
    assert!(!ok);
    assert!(
        output.contains(
            "invalid setting `scheduler.digest_cron` (env PIAZZA_SCHEDULER__DIGEST_CRON)"
        ),
        "{output}"
    );
}

#[tokio::test]
async fn serving_one_service_without_rabbitmq_is_refused_with_the_setting_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let env = std::collections::BTreeMap::from([(
        "PIAZZA_DATA_DIR".to_string(),
        dir.path().display().to_string(),
    )]);
    let (ok, output) = piazza_e2e::node::run(&env, &["serve", "booking"], "").await;
    assert!(!ok);
    assert!(output.contains("PIAZZA_AMQP_URL"), "{output}");
}

#[tokio::test]
async fn migrate_names_each_migration_as_it_applies_it_and_then_that_none_is_pending() {
    let dir = tempfile::tempdir().unwrap();
    let env = std::collections::BTreeMap::from([
        (
            "PIAZZA_DATA_DIR".to_string(),
            dir.path().display().to_string(),
        ),
        ("PIAZZA_LOG_FORMAT".into(), "json".into()),
    ]);
    let (ok, output) = piazza_e2e::node::run(&env, &["migrate"], "").await;
    assert!(ok, "{output}");
    // One line as each starts and one as it ends, numbered "k of n", for every service.
    for service in piazza_e2e::infra::SERVICES {
        let lines: Vec<&str> = output
            .lines()
            .filter(|l| l.contains(&format!("{service}.db")))
            .collect();
        let applying = lines
            .iter()
            .filter(|l| l.contains("applying migration"))
            .count();
        let applied: Vec<&&str> = lines
            .iter()
            .filter(|l| l.contains("applied migration"))
            .collect();
        assert!(applying > 0, "{service}: {output}");
        assert_eq!(applying, applied.len(), "{service}: {output}");
        let last = applied.last().unwrap();
        assert!(
            last.contains(&format!("applied migration {applying} of {applying} in ")),
            "{last}"
        );
    }
    let (ok, again) = piazza_e2e::node::run(&env, &["migrate"], "").await;
    assert!(ok, "{again}");
    assert_eq!(
        again.matches("no pending migrations").count(),
        piazza_e2e::infra::SERVICES.len(),
        "{again}"
    );
    assert!(!again.contains("applying migration"), "{again}");
}
