//! The middleware every listener shares: request ids, trace context, the access log without
//! query strings (they carry signed tokens) and metrics ([`super::request`]), a request timeout, a body size limit, panic containment, CORS for
//! the configured origins only, security headers, the rate limiter, and problem+json for every
//! error, including axum's own plain-text rejections.

use super::{ApiError, Problem, client::TrustedProxies, limit::RateLimiter, origin::PublicOrigin};
use crate::settings::Settings;
use axum::{
    Extension, Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use std::{sync::Arc, time::Duration};
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    set_header::SetResponseHeaderLayer,
};

/// Wraps `router` in the shared middleware.
pub fn with_layers(router: Router, settings: &Settings, limiter: Arc<RateLimiter>) -> Router {
    let max_body = settings.http.max_body_bytes;
    let timeout = Duration::from_secs(settings.http.request_timeout_seconds);
    let mut router = router
        .fallback(|| async { ApiError::NotFound("route") })
        .method_not_allowed_fallback(|| async {
            ApiError::MethodNotAllowed("this method is not allowed on this route".into())
        })
        .layer(Extension(limiter))
        .layer(Extension(TrustedProxies(settings.http.trusted_proxies)))
        .layer(Extension(PublicOrigin::of(&settings.public_url())))
        .layer(DefaultBodyLimit::max(
            usize::try_from(max_body).unwrap_or(usize::MAX),
        ))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            refuse_large_bodies(request, next, max_body)
        }))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            time_limit(request, next, timeout)
        }))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
            },
        ))
        .layer(middleware::from_fn(problems_only));
    if let Some(cors) = cors(settings) {
        router = router.layer(cors);
    }
    for (name, value) in security_headers(settings) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    // Outermost, so the access log and the metrics see every answer, timeouts and panics
    // included, and every log line of the request is inside its span.
    router.layer(middleware::from_fn(super::request::observe))
}

/// Headers on every response: no MIME sniffing, no referrer (links carry tokens), no framing,
/// and HSTS when the public address is https.
fn security_headers(settings: &Settings) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ),
    ];
    if settings.public_url().scheme() == "https" {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    headers
}

/// CORS for the configured origins; none configured means no CORS headers at all, so browsers
/// keep other sites' scripts out.
fn cors(settings: &Settings) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = settings
        .http
        .cors_allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([header::RETRY_AFTER, header::LOCATION])
            .max_age(Duration::from_secs(3600)),
    )
}

/// 413 before reading a body whose declared length is over the limit; bodies without a length
/// are cut by `DefaultBodyLimit` where they are read. Image uploads have a limit of their own
/// ([`crate::images::http::BODY_LIMIT`]), which their routes set.
async fn refuse_large_bodies(request: Request, next: Next, max_body: u64) -> Response {
    let max_body = if crate::images::http::takes_upload(request.uri().path()) {
        max_body.max(u64::try_from(crate::images::http::BODY_LIMIT).unwrap_or(u64::MAX))
    } else {
        max_body
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        return ApiError::PayloadTooLarge.into_response();
    }
    next.run(request).await
}

/// 503 (problem+json, with Retry-After) when handling takes longer than `limit`.
async fn time_limit(request: Request, next: Next, limit: Duration) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(seconds = limit.as_secs(), "request timed out");
            ApiError::Unavailable(format!(
                "the request took longer than {} s",
                limit.as_secs()
            ))
            .into_response()
        }
    }
}

/// Turns an error answered in plain text (an axum rejection: a malformed query, a form that is
/// too large) into problem+json with the same status. HTML pages and problems pass unchanged.
async fn problems_only(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let problem = Problem {
        problem_type: format!("urn:piazza:problem:{}", code_of(status)),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: if text.trim().is_empty() {
            status.canonical_reason().unwrap_or("error").to_string()
        } else {
            text
        },
        errors: Vec::new(),
        conflicts: Vec::new(),
    };
    let mut response = (status, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// The stable code of a status answered by something other than [`ApiError`].
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::{get, post};
    use serde_json::Value;
    use tower::ServiceExt;

    fn app(toml: &str) -> Router {
        let settings = Settings::from_toml(toml, &[]).unwrap();
        let router = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    "done"
                }),
            )
            .route("/echo", post(|body: String| async move { body }));
        let limiter = Arc::new(RateLimiter::new(&settings.limits));
        with_layers(router, &settings, limiter)
    }

    async fn problem(response: Response) -> Value {
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_request_over_the_time_limit_is_answered_503_problem_json() {
        let request = Request::get("/slow").body(Body::empty()).unwrap();
        let response = app("[http]\nrequest_timeout_seconds = 1")
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        let problem = problem(response).await;
        assert_eq!(problem["type"], "urn:piazza:problem:unavailable");
        assert!(problem["detail"].as_str().unwrap().contains("1 s"));
    }

    #[tokio::test]
    async fn a_plain_text_rejection_becomes_problem_json_with_its_status() {
        // axum's own `String` extractor refuses a body over the limit in plain text.
        let request = Request::post("/echo")
            .body(Body::from(vec![b'x'; 2048]))
            .unwrap();
        let response = app("[http]\nmax_body_bytes = 1024")
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let problem = problem(response).await;
        assert_eq!(problem["type"], "urn:piazza:problem:payload_too_large");
        assert_eq!(problem["status"], 413);
    }
}
