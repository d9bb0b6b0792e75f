//! The outermost middleware of every listener: each request gets its id (the caller's
//! well-formed `X-Request-Id`, or a new one, echoed in the response) and its W3C trace context
//! (the caller's `traceparent` continued, or a new trace), an `info` span holding both so every
//! log line of the request names them, the context for the messages it publishes
//! ([`crate::trace`]), one access log line (at `debug` for a probe's or scrape's success), and
//! the request metrics.
//!
//! The access line names the route template, never the path's query string: the links in
//! emails carry signed tokens there.

use crate::trace::{self, Context, TraceParent};
use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use std::time::Instant;
use tracing::Instrument;

/// `X-Request-Id`, taken from the caller when well-formed and always answered.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// `traceparent` (W3C Trace Context).
pub static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// The routes of probes and scrapes, logged at debug when they succeed.
const PROBES: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The caller's request id when well-formed (else a new one) and the caller's trace context
/// when valid.
pub fn taken_from(request: &Request) -> (String, Option<TraceParent>) {
    let header = |name: &HeaderName| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let request_id = header(&REQUEST_ID)
        .filter(|id| trace::is_valid_request_id(id))
        .unwrap_or_else(trace::new_request_id);
    let parent = header(&TRACEPARENT).as_deref().and_then(TraceParent::parse);
    (request_id, parent)
}

/// Runs the request in its span and context, then logs and counts it.
pub async fn observe(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let (request_id, parent) = taken_from(&request);
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        trace_id = tracing::field::Empty,
    );
    let context = Context {
        request_id: Some(request_id.clone()),
        trace: crate::telemetry::start_trace(&span, parent),
    };
    let mut response = trace::scope(context, next.run(request))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let duration_ms = (elapsed.as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
    // Orchestrators and scrapers ask the probes every few seconds: their successful answers go
    // at debug, so the access log at info shows what people and programs asked.
    let probe = PROBES.contains(&route.as_str()) && response.status().is_success();
    span.in_scope(|| {
        if probe {
            tracing::debug!(method = %method, route = %route, status, duration_ms, "request");
        } else {
            tracing::info!(method = %method, route = %route, status, duration_ms, "request");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    metrics::counter!(
        "piazza_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "piazza_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(elapsed.as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{Router, body::Body, middleware, routing::get};
    use tower::ServiceExt;

    /// Answers the context the handler runs in, as the outbox would read it.
    fn app() -> Router {
        Router::new()
            .route(
                "/context",
                get(|| async {
                    let context = trace::current().unwrap();
                    format!(
                        "{} {}",
                        context.request_id.unwrap_or_default(),
                        context.trace
                    )
                }),
            )
            .layer(middleware::from_fn(observe))
    }

    async fn call(headers: &[(&str, &str)]) -> (String, String) {
        let mut request = Request::get("/context");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = app()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let id = response.headers()[&REQUEST_ID]
            .to_str()
            .unwrap()
            .to_string();
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (id, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_callers_request_id_and_trace_are_taken_echoed_and_given_to_the_handler() {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let (id, seen) = call(&[("x-request-id", "abc-123"), ("traceparent", parent)]).await;
        assert_eq!(id, "abc-123");
        let (request_id, traceparent) = seen.split_once(' ').unwrap();
        assert_eq!(request_id, "abc-123");
        let trace = TraceParent::parse(traceparent).unwrap();
        assert_eq!(trace.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(trace.span_id_hex(), "00f067aa0ba902b7", "a span of its own");
    }

    #[tokio::test]
    async fn a_malformed_request_id_or_trace_is_replaced_by_new_ones() {
        let (id, seen) = call(&[("x-request-id", "a b"), ("traceparent", "00-zz")]).await;
        assert_ne!(id, "a b");
        assert!(trace::is_valid_request_id(&id));
        let (request_id, traceparent) = seen.split_once(' ').unwrap();
        assert_eq!(request_id, id);
        assert!(TraceParent::parse(traceparent).is_some());
        let (other, _) = call(&[]).await;
        assert_ne!(other, id, "each request gets an id of its own");
    }
}
