//! The OpenAPI document says exactly what the listener serves: every route and method the router
//! holds is documented, every documented one is served, and every operation documents the
//! errors it can answer, as problem+json; its links name operations it has.

use super::{METHODS, concrete, document, operations};
use piazza_e2e::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Whether the answer came from the router's own fallbacks rather than from a route.
fn unrouted(status: StatusCode, body: &Value) -> bool {
    (status == StatusCode::NOT_FOUND && body["detail"] == "route not found")
        || (status == StatusCode::METHOD_NOT_ALLOWED
            && body["type"] == "urn:piazza:problem:method_not_allowed")
}

async fn probe(app: &TestApp, method: &str, path: &str) -> (StatusCode, Value) {
    let url = app.url(&concrete(path, |_| uuid::Uuid::now_v7().to_string()));
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let response = app.api.raw().request(method, &url).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_route_the_router_serves_is_in_the_document_and_every_documented_one_is_served() {
    let app = TestApp::builder().spawn().await;
    let doc = document(&app).await;
    // The listing read from the router must be real, or this test would prove nothing.
    for known in ["/healthz", "/api/v1/spaces/{id}", "/api/v1/audit"] {
        assert!(
            app.routes.iter().any(|r| r == known),
            "{known} not in {:?}",
            app.routes
        );
    }
    assert!(app.routes.len() > 40, "{:?}", app.routes);
    let mut undocumented = Vec::new();
    for route in &app.routes {
        let item = &doc["paths"][route.as_str()];
        for method in METHODS {
            let (status, body) = probe(&app, method, route).await;
            let served = !unrouted(status, &body);
            if served && item.get(method).is_none() {
                undocumented.push(format!("{} {route} ({status})", method.to_uppercase()));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:#?}"
    );
    let mut unserved = Vec::new();
    for op in operations(&doc) {
        let (status, body) = probe(&app, op.method, &op.path).await;
        if unrouted(status, &body) {
            unserved.push(op.name());
        }
    }
    assert!(
        unserved.is_empty(),
        "documented but not served: {unserved:#?}"
    );
    app.stop().await;
}

/// The error statuses an operation must document, from what it declares.
fn required_errors(op: &super::Operation) -> Vec<&'static str> {
    let mut needed = Vec::new();
    let security = op.doc["security"].as_array().cloned().unwrap_or_default();
    let anonymous_allowed = security
        .iter()
        .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
    let roles: Option<Vec<Value>> = security
        .iter()
        .find_map(|r| r.get("bearer").and_then(|b| b.as_array().cloned()));
    let by_link = security.iter().any(|r| r.get("link").is_some());
    if let Some(roles) = &roles
        && !anonymous_allowed
        && !by_link
    {
        needed.push("401");
        if roles.len() < 3 || op.doc.get("x-piazza-scope").is_some() {
            needed.push("403");
        }
    }
    let api = op.path.starts_with("/api/v1/");
    if api && op.path.contains('{') {
        needed.push("404");
    }
    let takes_input = op.doc.get("requestBody").is_some()
        || op.doc["parameters"]
            .as_array()
            .is_some_and(|p| !p.is_empty());
    if api && takes_input {
        needed.push("422");
    }
    if op.doc.get("requestBody").is_some() {
        needed.push("413");
    }
    needed
}

#[tokio::test]
async fn every_operation_documents_its_errors_as_problem_json() {
    let app = TestApp::builder().spawn().await;
    let doc = document(&app).await;
    let mut faults = Vec::new();
    let mut required = 0;
    for op in operations(&doc) {
        let responses = op.doc["responses"].as_object().expect("responses");
        for status in required_errors(&op) {
            required += 1;
            if !responses.contains_key(status) {
                faults.push(format!("{}: no {status}", op.name()));
            }
        }
        for (status, response) in responses {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let content = response["content"].as_object().cloned().unwrap_or_default();
            // Pages reached from emails answer their errors as HTML pages; the API as problems.
            if content.contains_key("text/html") && !op.path.starts_with("/api/") {
                continue;
            }
            if op.path == "/readyz" {
                continue;
            }
            let schema = &content
                .get("application/problem+json")
                .map(|c| c["schema"]["$ref"].clone());
            if schema.as_ref().and_then(|s| s.as_str()) != Some("#/components/schemas/Problem")
                || content.len() != 1
            {
                faults.push(format!(
                    "{}: {status} is not documented as problem+json: {}",
                    op.name(),
                    Value::Object(content)
                ));
            }
        }
    }
    assert!(faults.is_empty(), "{faults:#?}");
    // The rules above found something to require, or they would prove nothing.
    assert!(required > 100, "only {required} error responses required");
    app.stop().await;
}

/// The operation an `operationRef` (`#/paths/<pointer token>/<method>`) names, if any.
fn referenced<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    let pointer = pointer.replace("%7B", "{").replace("%7D", "}");
    doc.pointer(&pointer)
}

/// The links followed by clients and by schemathesis' stateful phase: each names an operation
/// the document has, and a created item leads to the operations on it.
#[tokio::test]
async fn links_lead_from_what_is_created_to_the_operations_on_it() {
    let app = TestApp::builder().spawn().await;
    let doc = document(&app).await;
    let mut found = Vec::new();
    for op in operations(&doc) {
        let Some(responses) = op.doc["responses"].as_object() else {
            continue;
        };
        for response in responses.values() {
            for link in response["links"]
                .as_object()
                .into_iter()
                .flat_map(|l| l.values())
            {
                let reference = link["operationRef"].as_str().expect("an operationRef");
                assert!(
                    referenced(&doc, reference).is_some(),
                    "{}: the link to {reference} names no operation",
                    op.name()
                );
                let target = reference.rsplit_once('/').map(|(p, m)| {
                    let path = p.trim_start_matches("#/paths/").replace("~1", "/");
                    format!(
                        "{} {}",
                        m.to_uppercase(),
                        path.replace("%7B", "{").replace("%7D", "}")
                    )
                });
                found.push(format!("{} -> {}", op.name(), target.unwrap_or_default()));
            }
        }
    }
    for expected in [
        "POST /api/v1/spaces -> GET /api/v1/spaces/{id}",
        "POST /api/v1/spaces -> PATCH /api/v1/spaces/{id}",
        "POST /api/v1/spaces -> POST /api/v1/spaces/{id}/closures",
        "POST /api/v1/bookings -> POST /api/v1/bookings/{id}/approve",
        "POST /api/v1/bookings -> POST /api/v1/bookings/{id}/cancel",
        "POST /api/v1/events -> GET /api/v1/events/{id}",
        "POST /api/v1/events -> PATCH /api/v1/events/{id}/occurrences/{occurrence_id}",
        "POST /api/v1/seasons -> POST /api/v1/seasons/{id}/publish",
        "POST /api/v1/calls/{id}/proposals -> POST /api/v1/proposals/{id}/accept",
        "POST /api/v1/events/{id}/registrations -> POST /api/v1/registrations/{id}/cancel",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "no link {expected}: {found:#?}"
        );
    }
    app.stop().await;
}
