//! The operational routes every listener serves: `/healthz` (the process is alive), `/readyz`
//! (each database, the bus and any dependency a service registered answer), `/metrics`
//! (Prometheus text) and `/api/openapi.json`.

use crate::{bus::Bus, db::Db, runtime::Probe, telemetry};
use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use serde::Serialize;
use std::{sync::Arc, time::Duration};

/// What `/readyz` and `/metrics` look at.
pub struct OpsState {
    pub databases: Vec<(&'static str, Db)>,
    pub bus: Arc<dyn Bus>,
    /// Dependencies services registered (`smtp`, …), by name.
    pub extra: Vec<(String, Probe)>,
    pub openapi: String,
}

#[derive(Serialize)]
struct Check {
    name: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn router(state: Arc<OpsState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
        .with_state(state)
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "Alive", body = Object)))]
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Each database, the bus and every registered dependency answer.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready, with each check", body = Object),
        (status = 503, description = "Not ready, with each check", body = Object),
    ))]
pub async fn readyz(State(state): State<Arc<OpsState>>) -> impl IntoResponse {
    let limit = Duration::from_secs(3);
    let mut checks = Vec::new();
    for (name, db) in &state.databases {
        let result = tokio::time::timeout(limit, db.ping()).await;
        let error = match result {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("timed out".to_string()),
        };
        checks.push(Check {
            name: format!("database:{name}"),
            ok: error.is_none(),
            error,
        });
    }
    let error = match tokio::time::timeout(limit, state.bus.check()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some("timed out".to_string()),
    };
    checks.push(Check {
        name: format!("bus:{}", state.bus.kind()),
        ok: error.is_none(),
        error,
    });
    for (name, probe) in &state.extra {
        let error = match tokio::time::timeout(limit, probe()).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some("timed out".to_string()),
        };
        checks.push(Check {
            name: name.clone(),
            ok: error.is_none(),
            error,
        });
    }
    let ready = checks.iter().all(|c| c.ok);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(
            serde_json::json!({ "status": if ready { "ready" } else { "not_ready" }, "checks": checks }),
        ),
    )
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()),
    responses((status = 200, description = "Metrics", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<Arc<OpsState>>) -> impl IntoResponse {
    for (name, db) in &state.databases {
        if let Ok(Ok((count, oldest))) = tokio::time::timeout(
            Duration::from_secs(2),
            crate::bus::outbox::backlog(db.conn()),
        )
        .await
        {
            metrics::gauge!("piazza_outbox_pending", "service" => *name).set(count as f64);
            let lag = oldest
                .map(|t| (crate::clock::now() - t).num_milliseconds().max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
            metrics::gauge!("piazza_outbox_lag_seconds", "service" => *name).set(lag);
        }
        // Only the in-process bus parks into tables; on RabbitMQ the count stays 0 here and the
        // broker reports the depth of each `<queue>.dead`.
        if let Ok(Ok(parked)) = tokio::time::timeout(
            Duration::from_secs(2),
            crate::bus::dead_letters::count(db.conn()),
        )
        .await
        {
            metrics::gauge!("piazza_dead_letters_parked", "service" => *name).set(parked as f64);
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        telemetry::render_metrics(),
    )
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi(State(state): State<Arc<OpsState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
}
