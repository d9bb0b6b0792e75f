//! The operational routes every listener serves: `/healthz` (the process is alive), `/readyz`
//! (each database, the bus and any dependency a service registered answer), `/metrics`
//! (Prometheus text), `/api/openapi.json` (what this process serves) and `/api/openapi/all.json`
//! (the whole deployment's API, which the gateway serves as its `/api/openapi.json`).
//!
//! `/readyz` tells everyone each check's name and whether it passed, which is what a load
//! balancer or an orchestrator needs. Why a check failed (a database's error, the address of a
//! server that did not answer) helps an attacker map the network, so it is told only to an
//! *insider*: a caller sending `Authorization: Bearer <ops_token>` (the `ops_token` setting, for
//! monitoring), or an administrator's bearer token.

use crate::{
    auth::{Claims, Keys, Role},
    bus::Bus,
    db::Db,
    readiness::Probe,
    secret::Secret,
    telemetry,
};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};

/// What `/readyz` and `/metrics` look at.
pub struct OpsState {
    pub databases: Vec<(&'static str, Db)>,
    pub bus: Arc<dyn Bus>,
    /// Dependencies services registered (`smtp`, …), by name.
    pub extra: Vec<(String, Probe)>,
    /// Gauges services read from their tables at each scrape.
    pub samplers: Vec<telemetry::Sampler>,
    pub openapi: String,
    /// The document of every service of the deployment, merged.
    pub openapi_all: String,
    /// Verify an administrator's token, who may read why a check failed.
    pub keys: Keys,
    /// The `ops_token` setting: monitoring that may read why a check failed.
    pub ops_token: Option<Secret<String>>,
}

impl OpsState {
    /// Whether the request comes from monitoring (the ops token) or an administrator.
    fn insider(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
        else {
            return false;
        };
        if let Some(expected) = &self.ops_token {
            // Compared as digests, so the time taken says nothing about how much of it matched.
            if Sha256::digest(token.as_bytes()) == Sha256::digest(expected.expose().as_bytes()) {
                return true;
            }
        }
        self.keys
            .verify_session(token, crate::clock::now())
            .is_ok_and(|claims: Claims| claims.role == Role::Admin)
    }
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
        .route("/api/openapi/all.json", get(openapi_all))
        .with_state(state)
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "Alive", body = Object)))]
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Each database, the bus and every registered dependency answer. Each check's `error` (why it
/// failed) is shown only to a caller sending the `ops_token` or an administrator's token.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready, with each check", body = Object),
        (status = 503, description = "Not ready, with each check", body = Object),
    ))]
pub async fn readyz(State(state): State<Arc<OpsState>>, headers: HeaderMap) -> impl IntoResponse {
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
    if !state.insider(&headers) {
        for check in &mut checks {
            check.error = None;
        }
    }
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
    for sample in &state.samplers {
        let _ = tokio::time::timeout(Duration::from_secs(2), sample()).await;
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

/// The whole deployment's document: every service's operations, wherever they run. In the
/// distributed form the gateway serves it as `/api/openapi.json`.
#[utoipa::path(get, path = "/api/openapi/all.json", tag = "operations", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of every service", body = Object)))]
pub async fn openapi_all(State(state): State<Arc<OpsState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_all.clone(),
    )
}
