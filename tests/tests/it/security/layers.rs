//! What every listener does to every request: a body size limit (413 problem+json), security
//! headers (HSTS only behind https), and CORS only for the configured origins.

use piazza_e2e::app::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_problem_json_before_it_is_read() {
    let app = TestApp::builder()
        .settings(|s| s.http.max_body_bytes = 4096)
        .spawn()
        .await;
    let admin = app.admin().await;
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(5000));
    for path in [
        "/api/v1/spaces",
        "/api/v1/subscribers",
        "/subscriptions/unsubscribe?token=x",
    ] {
        let response = app
            .api
            .raw()
            .post(app.url(path))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], "urn:piazza:problem:payload_too_large");
    }
    // Without a declared length (chunked), the limit holds where the body is read.
    let head = format!(
        "POST /api/v1/spaces HTTP/1.1\r\nHost: piazza\r\nAuthorization: Bearer {admin}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let answer = raw_exchange(&app, head, 5, 1000).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"), "{answer}");
    app.stop().await;
}

/// Sends `head` then `chunks` chunks of `size` spaces, and reads the whole answer. The server
/// may answer and close before the last chunk; writing then fails, which is fine.
async fn raw_exchange(app: &TestApp, head: String, chunks: usize, size: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.settings.listen)
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..chunks {
        let chunk = format!("{size:x}\r\n{}\r\n", " ".repeat(size));
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn headers(app: &TestApp, method: Method, path: &str) -> reqwest::header::HeaderMap {
    let response = app
        .api
        .raw()
        .request(method, app.url(path))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    response.headers().clone()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_cors_by_default() {
    let app = TestApp::builder().spawn().await;
    // An API answer, an error, an unknown route, a page, the document.
    for path in [
        "/api/v1/spaces",
        "/api/v1/bookings",
        "/nowhere",
        "/subscriptions/manage?token=forged",
        "/api/openapi.json",
    ] {
        let h = headers(&app, Method::GET, path).await;
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        // http: no HSTS; no origin is allowed.
        assert!(!h.contains_key("strict-transport-security"), "{path}");
        assert!(!h.contains_key("access-control-allow-origin"), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_address_is_https() {
    let app = TestApp::builder()
        .settings(|s| s.public_url = Some("https://piazza.comune.cremona.it".parse().unwrap()))
        .spawn()
        .await;
    let h = headers(&app, Method::GET, "/healthz").await;
    assert!(
        h["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=31536000")
    );
    app.stop().await;
}

#[tokio::test]
async fn cors_answers_the_configured_origins_only() {
    let app = TestApp::builder()
        .settings(|s| s.http.cors_allowed_origins = vec!["https://eventi.comune.cremona.it".into()])
        .spawn()
        .await;
    let preflight = |origin: &'static str| {
        app.api
            .raw()
            .request(Method::OPTIONS, app.url("/api/v1/spaces"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://eventi.comune.cremona.it").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://eventi.comune.cremona.it"
    );
    assert!(
        allowed.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );
    let simple = app
        .api
        .raw()
        .get(app.url("/api/v1/spaces"))
        .header("origin", "https://eventi.comune.cremona.it")
        .send()
        .await
        .unwrap();
    assert_eq!(
        simple.headers()["access-control-allow-origin"],
        "https://eventi.comune.cremona.it"
    );
    app.stop().await;
}
