//! What an operations team watches Piazza by: one access line per request at `info` (route,
//! status, duration, request id, never the query string), the request id and trace context
//! carried from a request through the messages it causes into every service's log, latency
//! histograms, the alert rules and dashboard in `deploy/observability/` naming only metrics
//! Piazza exports, spans exported over OTLP when an endpoint is set, and the whole API's
//! OpenAPI document served by every process and by the shipped gateway.

use axum::{Router, body::Bytes, routing::post};
use piazza_e2e::clock::{day_ahead, rome};
use piazza_e2e::{api::Api, app::TestApp, deploy::Deployment, eventually, node::Node};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    collections::BTreeSet,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

const WAIT: Duration = Duration::from_secs(30);
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

/// The log lines (of `logs`) that contain every one of `needles`.
fn lines_with<'a>(logs: &'a str, needles: &[&str]) -> Vec<&'a str> {
    logs.lines()
        .filter(|line| needles.iter().all(|n| line.contains(n)))
        .collect()
}

async fn waits_for_line(node: &Node, needles: &[&str]) -> String {
    eventually(
        &format!("a line with {needles:?} in {}'s log", node.name),
        WAIT,
        || {
            let logs = node.logs();
            let found = lines_with(&logs, needles).first().map(|l| l.to_string());
            async move { found }
        },
    )
    .await
}

#[tokio::test]
async fn each_request_has_one_access_line_at_info_with_its_id_and_no_query_string() {
    let mut deployment = Deployment::embedded_idle();
    deployment
        .env
        .insert("PIAZZA_LOG_FORMAT".into(), "json".into());
    let node = Node::start("piazza", deployment.env.clone(), &[], deployment.dir.path()).await;
    let client = Api::new();
    // An email link's page: its signed token is in the query string.
    let response = client
        .raw()
        .get(format!(
            "{}/subscriptions/unsubscribe?token=the-signed-secret",
            node.base_url
        ))
        .header("x-request-id", "obs-access-1")
        .header("traceparent", TRACEPARENT)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["x-request-id"], "obs-access-1");
    let line = waits_for_line(&node, &["obs-access-1", "duration_ms"]).await;
    let access: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(access["level"], "INFO", "{line}");
    assert_eq!(access["fields"]["method"], "GET", "{line}");
    assert_eq!(
        access["fields"]["route"], "/subscriptions/unsubscribe",
        "{line}"
    );
    assert_eq!(access["fields"]["status"], status, "{line}");
    assert!(access["fields"]["duration_ms"].as_f64().is_some(), "{line}");
    // The span's fields are on the line: the id, and the caller's trace continued.
    assert_eq!(access["span"]["request_id"], "obs-access-1", "{line}");
    assert_eq!(access["span"]["trace_id"], TRACE_ID, "{line}");
    // One line for the request, and the token of the query string in none.
    let logs = node.logs();
    assert_eq!(
        lines_with(&logs, &["obs-access-1", "duration_ms"]).len(),
        1,
        "{logs}"
    );
    assert!(!logs.contains("the-signed-secret"), "{logs}");

    // A request id that could forge a log line, or is too long, is replaced by one of Piazza's.
    for bad in ["two words", &"x".repeat(200)] {
        let response = client
            .raw()
            .get(format!("{}/healthz", node.base_url))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(id, bad);
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    }
    // A probe that succeeds is not in the access log at info (orchestrators ask every few
    // seconds); the request after it is.
    let response = client
        .raw()
        .get(format!("{}/healthz", node.base_url))
        .header("x-request-id", "obs-probe-1")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    // A route nobody serves is logged too, as `unmatched`, with its 404.
    let response = client
        .raw()
        .get(format!("{}/nowhere?token=another-secret", node.base_url))
        .header("x-request-id", "obs-access-2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let line = waits_for_line(&node, &["obs-access-2", "duration_ms"]).await;
    let access: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(access["fields"]["route"], "unmatched", "{line}");
    assert_eq!(access["fields"]["status"], 404, "{line}");
    assert!(!node.logs().contains("another-secret"));
    assert!(!node.logs().contains("obs-probe-1"), "{}", node.logs());
    drop(node);
}

/// One request (an administrator places an event in a space) followed by its id through the
/// three services' logs: the scheduler answers it and asks booking for the slot, booking
/// approves and tells the scheduler and the notifier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_is_followed_by_its_id_through_booking_scheduler_and_notifier() {
    let deployment = Deployment::distributed().await;
    let api = Api::new();
    let booking = deployment.url("booking");
    let scheduler = deployment.url("scheduler");
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    let admin = api
        .login(booking, "admin@comune.test", "admin-password-1")
        .await;
    let (status, space) = api
        .post(
            &format!("{booking}/api/v1/spaces"),
            Some(&admin),
            &json!({
                "name": "Sala delle Colonne", "building": "Palazzo Affaitati", "address": "Via Ugolani Dati 4, Cremona",
                "kind": "hall", "capacity": 120, "equipment": [], "time_zone": "Europe/Rome",
                "opening_hours": (["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "23:00" })))
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{space}");
    let request_id = format!("obs-{}", uuid::Uuid::now_v7().simple());
    let response = api
        .raw()
        .post(format!("{scheduler}/api/v1/events"))
        .bearer_auth(&admin)
        .header("x-request-id", &request_id)
        .header("traceparent", TRACEPARENT)
        .json(&json!({
            "title": "Concerto dei licei", "categories": ["music"], "age_min": 14, "age_max": 29,
            "starts_at": rome(day_ahead(), "21:00"), "ends_at": rome(day_ahead(), "23:00"),
            "time_zone": "Europe/Rome", "space_id": space["id"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-request-id"], request_id.as_str());
    let node = |name: &str| deployment.nodes.iter().find(|n| n.name == name).unwrap();
    let id = request_id.as_str();
    // The scheduler's access line, booking handling the slot request, the scheduler and the
    // notifier handling booking's answer: every one with the request's id and trace.
    let scheduler_line =
        waits_for_line(node("scheduler"), &[id, TRACE_ID, "route=/api/v1/events"]).await;
    let booking_line = waits_for_line(
        node("booking"),
        &[id, TRACE_ID, "scheduling.slot_requested", "message handled"],
    )
    .await;
    let answer = waits_for_line(
        node("scheduler"),
        &[id, TRACE_ID, "booking.approved", "message handled"],
    )
    .await;
    let notifier_line = waits_for_line(
        node("notifier"),
        &[id, TRACE_ID, "booking.approved", "message handled"],
    )
    .await;
    eprintln!("OBSERVED scheduler: {scheduler_line}");
    eprintln!("OBSERVED booking: {booking_line}");
    eprintln!("OBSERVED scheduler: {answer}");
    eprintln!("OBSERVED notifier: {notifier_line}");
    deployment.stop().await;
}

/// Every `piazza_*` metric an expression names.
fn metric_names(expressions: &[String]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for expression in expressions {
        let mut rest = expression.as_str();
        while let Some(at) = rest.find("piazza_") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            rest = &rest[at + name.len()..];
            names.insert(name);
        }
    }
    names
}

/// A YAML file as JSON, read by Python's `yaml` (the deploy check's too).
fn yaml(path: &std::path::Path) -> Value {
    let output = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
        ])
        .arg(path)
        .output()
        .expect("python3 with yaml");
    assert!(
        output.status.success(),
        "{} does not parse: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_alert_rules_and_the_dashboard_name_only_metrics_piazza_exports() {
    let rules = yaml(&deploy_dir().join("observability/alerts.yaml"));
    let mut expressions = Vec::new();
    for group in rules["groups"].as_array().unwrap() {
        for rule in group["rules"].as_array().unwrap() {
            assert!(
                rule["alert"].is_string() && rule["expr"].is_string(),
                "{rule}"
            );
            expressions.push(rule["expr"].as_str().unwrap().to_string());
        }
    }
    assert!(expressions.len() >= 6, "{expressions:?}");
    let text =
        std::fs::read_to_string(deploy_dir().join("observability/grafana-dashboard.json")).unwrap();
    let dashboard: Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    let mut panels = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        panels += 1;
        for target in panel["targets"].as_array().unwrap() {
            expressions.push(target["expr"].as_str().unwrap().to_string());
        }
    }
    assert!(panels >= 8);
    let named = metric_names(&expressions);
    for needed in [
        "piazza_outbox_lag_seconds",
        "piazza_dead_letters_total",
        "piazza_emails_total",
        "piazza_http_requests_total",
        "piazza_slot_requests_waiting",
        "piazza_http_request_duration_seconds_bucket",
    ] {
        assert!(named.contains(needed), "nothing watches {needed}");
    }

    // Some traffic: a space, an event in it (a slot request and its answer), a subscription
    // (a confirmation email), a request for nothing.
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let (status, space) = app
        .post(
            "/api/v1/spaces",
            Some(&admin),
            &json!({
                "name": "Cortile", "building": "Palazzo Cittanova", "address": "Piazza Cittanova, Cremona",
                "kind": "courtyard", "capacity": 80, "equipment": [], "time_zone": "Europe/Rome",
                "opening_hours": (["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "23:00" })))
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{space}");
    let (status, event) = app
        .post(
            "/api/v1/events",
            Some(&admin),
            &json!({
                "title": "Cinema all'aperto", "categories": ["cinema"], "age_min": 14, "age_max": 29,
                "starts_at": rome(day_ahead(), "21:00"), "ends_at": rome(day_ahead(), "23:00"),
                "time_zone": "Europe/Rome", "space_id": space["id"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let (status, body) = app
        .post(
            "/api/v1/subscribers",
            None,
            &json!({ "email": "luca@example.org", "interests": ["cinema"], "birth_year": 2006, "language": "it", "frequency": "instant" }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, _) = app.get("/nowhere", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let metrics = eventually("the confirmation email to be counted", WAIT, || {
        let url = app.url("/metrics");
        let api = app.api.clone();
        async move {
            let response = api.raw().get(&url).send().await.ok()?;
            let text = response.text().await.ok()?;
            text.contains("piazza_emails_total{").then_some(text)
        }
    })
    .await;
    let exported: BTreeSet<&str> = metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(['{', ' ']).next())
        .collect();
    let missing: Vec<&String> = named
        .iter()
        .filter(|n| !exported.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "named in deploy/observability but not in /metrics: {missing:?}\n{metrics}"
    );
    // Durations are histograms with buckets (they add up over replicas), not summaries.
    for histogram in [
        "piazza_http_request_duration_seconds",
        "piazza_message_handling_duration_seconds",
    ] {
        assert!(
            metrics.contains(&format!("# TYPE {histogram} histogram")),
            "{histogram} is not a histogram:\n{metrics}"
        );
    }
    assert!(metrics.contains("piazza_http_request_duration_seconds_bucket{"));
    assert!(metrics.contains("le=\"0.1\""), "{metrics}");
    app.stop().await;
}

/// A small OTLP/HTTP receiver: every body posted to `/v1/traces`, as JSON.
async fn otlp_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let router = Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let store = store.clone();
            async move {
                if let Ok(json) = serde_json::from_slice::<Value>(&body) {
                    store.lock().unwrap().push(json);
                }
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), received)
}

/// The spans of `service.name` `service` in what the receiver got.
fn spans_of(received: &[Value], service: &str) -> Vec<Value> {
    let mut spans = Vec::new();
    for body in received {
        for resource in body["resourceSpans"].as_array().into_iter().flatten() {
            let named = resource["resource"]["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a["key"] == "service.name" && a["value"]["stringValue"] == service);
            if !named {
                continue;
            }
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                spans.extend(scope["spans"].as_array().into_iter().flatten().cloned());
            }
        }
    }
    spans
}

#[tokio::test]
async fn spans_go_to_the_otlp_endpoint_with_the_callers_trace_and_the_services_name() {
    let (endpoint, received) = otlp_receiver().await;
    let mut deployment = Deployment::embedded_idle();
    deployment
        .env
        .insert("PIAZZA_TELEMETRY__OTLP_ENDPOINT".into(), endpoint);
    let mut env = deployment.env.clone();
    // Batches every 200 ms rather than 5 s, so the test does not wait.
    env.insert("OTEL_BSP_SCHEDULE_DELAY".into(), "200".into());
    let mut node = Node::start("piazza", env, &[], deployment.dir.path()).await;
    let response = Api::new()
        .raw()
        .get(format!("{}/api/v1/events", node.base_url))
        .header("traceparent", TRACEPARENT)
        .header("x-request-id", "obs-otlp-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let span = eventually("the request's span at the OTLP receiver", WAIT, || {
        let spans = spans_of(&received.lock().unwrap(), "piazza");
        async move {
            spans
                .into_iter()
                .find(|s| s["traceId"] == TRACE_ID && s["name"] == "request")
        }
    })
    .await;
    // A child of the caller's span, with the request id as an attribute.
    assert_eq!(span["parentSpanId"], "00f067aa0ba902b7", "{span}");
    assert!(
        span["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["key"] == "request_id" && a["value"]["stringValue"] == "obs-otlp-1"),
        "{span}"
    );
    assert!(node.terminate().await, "{}", node.logs());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_serves_the_whole_apis_document() {
    let deployment = Deployment::distributed().await;
    let api = Api::new();
    let mut union = BTreeSet::new();
    for service in piazza_e2e::infra::SERVICES {
        let (_, own) = api
            .get(
                &format!("{}/api/openapi.json", deployment.url(service)),
                None,
            )
            .await;
        union.extend(own["paths"].as_object().unwrap().keys().cloned());
    }
    assert!(union.contains("/api/v1/spaces") && union.contains("/api/v1/subscribers"));
    for service in piazza_e2e::infra::SERVICES {
        let (status, whole) = api
            .get(
                &format!("{}/api/openapi/all.json", deployment.url(service)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let paths: BTreeSet<String> = whole["paths"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(paths, union, "{service}'s whole document");
    }
    // Through the shipped gateway, /api/openapi.json is that whole document.
    let upstreams: Vec<(&str, Vec<String>)> = piazza_e2e::infra::SERVICES
        .iter()
        .map(|service| (*service, vec![deployment.url(service).to_string()]))
        .collect();
    let gateway = piazza_e2e::gateway::Gateway::start(&upstreams).await;
    let (status, served) = api
        .get(&format!("{}/api/openapi.json", gateway.url), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{}", gateway.error_log());
    let paths: BTreeSet<String> = served["paths"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(paths, union, "the gateway's document");
    drop(gateway);
    deployment.stop().await;

    // In one process the two documents are one.
    let app = TestApp::builder().spawn().await;
    let (_, own) = app.get("/api/openapi.json", None).await;
    let (_, whole) = app.get("/api/openapi/all.json", None).await;
    assert_eq!(own, whole);
    app.stop().await;
}
