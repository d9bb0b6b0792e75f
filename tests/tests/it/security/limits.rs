//! Rate limits: failed logins per account, login attempts per client address, and the public
//! endpoints that write, per address; each over-limit answer is a 429 problem+json with
//! Retry-After.

use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

async fn post_from(app: &TestApp, address: &str, path: &str, body: &Value) -> Response {
    app.api
        .raw()
        .post(app.url(path))
        .header("x-forwarded-for", address)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn assert_limited(response: Response) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:piazza:problem:rate_limited");
    assert_eq!(problem["status"], 429);
}

fn login(email: &str, password: &str) -> Value {
    json!({ "email": email, "password": password })
}

#[tokio::test]
async fn an_account_is_locked_for_the_window_after_too_many_failed_logins_even_from_new_addresses()
{
    let app = TestApp::builder()
        .settings(|s| {
            s.limits.login_per_account = 3;
            s.limits.login_per_address = 100;
            s.http.trusted_proxies = 1;
        })
        .spawn()
        .await;
    let password = "the-right-password-123";
    app.add_user("ops@arci.test", Role::Operator, Some("ARCI"), password)
        .await;
    app.add_user("ops@iride.test", Role::Operator, Some("Iride"), password)
        .await;
    // A success clears earlier failures.
    for _ in 0..2 {
        let r = post_from(
            &app,
            "10.0.0.1",
            "/api/v1/auth/token",
            &login("ops@arci.test", "guess"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = post_from(
        &app,
        "10.0.0.1",
        "/api/v1/auth/token",
        &login("ops@arci.test", password),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    for i in 0..3 {
        // Each guess from another address: the account's count does not care.
        let address = format!("10.0.1.{i}");
        let r = post_from(
            &app,
            &address,
            "/api/v1/auth/token",
            &login("OPS@arci.test", "guess"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password waits for the window to pass.
    let r = post_from(
        &app,
        "10.0.2.1",
        "/api/v1/auth/token",
        &login("ops@arci.test", password),
    )
    .await;
    assert_limited(r).await;
    // Another account is not affected.
    let r = post_from(
        &app,
        "10.0.2.1",
        "/api/v1/auth/token",
        &login("ops@iride.test", password),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn one_address_gets_a_bounded_number_of_login_attempts_whatever_the_accounts() {
    let app = TestApp::builder()
        .settings(|s| {
            s.limits.login_per_account = 100;
            s.limits.login_per_address = 4;
            s.http.trusted_proxies = 1;
        })
        .spawn()
        .await;
    for i in 0..4 {
        let r = post_from(
            &app,
            "192.0.2.7",
            "/api/v1/auth/token",
            &login(&format!("nobody{i}@x.test"), "guess"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = post_from(
        &app,
        "192.0.2.7",
        "/api/v1/auth/token",
        &login("nobody9@x.test", "guess"),
    )
    .await;
    assert_limited(r).await;
    let r = post_from(
        &app,
        "192.0.2.8",
        "/api/v1/auth/token",
        &login("nobody9@x.test", "guess"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn public_writes_are_limited_per_address_and_per_route() {
    let app = TestApp::builder()
        .settings(|s| {
            s.limits.public_per_address = 2;
            s.http.trusted_proxies = 1;
        })
        .spawn()
        .await;
    let subscribe = |n: u32| json!({ "email": format!("p{n}@example.org"), "interests": ["music"], "birth_year": 2006, "language": "it", "frequency": "instant" });
    for n in 0..2 {
        let r = post_from(&app, "198.51.100.1", "/api/v1/subscribers", &subscribe(n)).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    assert_limited(post_from(&app, "198.51.100.1", "/api/v1/subscribers", &subscribe(3)).await)
        .await;
    // Another address, or another public route from the same address, counts apart.
    let r = post_from(&app, "198.51.100.2", "/api/v1/subscribers", &subscribe(4)).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let registration = json!({ "name": "Giulia", "email": "giulia@example.org" });
    let path = format!("/api/v1/events/{}/registrations", uuid::Uuid::now_v7());
    for _ in 0..2 {
        let r = post_from(&app, "198.51.100.1", &path, &registration).await;
        // No such event: refused, but counted.
        assert!(r.status().is_client_error() && r.status() != StatusCode::TOO_MANY_REQUESTS);
    }
    assert_limited(post_from(&app, "198.51.100.1", &path, &registration).await).await;
    let unsubscribe = app
        .api
        .raw()
        .post(app.url("/subscriptions/unsubscribe?token=forged"))
        .header("x-forwarded-for", "198.51.100.9");
    for _ in 0..2 {
        let r = unsubscribe.try_clone().unwrap().send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    // A page answers with a page: 429 with Retry-After, in HTML.
    let r = unsubscribe.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    app.stop().await;
}

#[tokio::test]
async fn without_trusted_proxies_a_client_cannot_pick_its_address() {
    // The default: clients reach Piazza directly, and their X-Forwarded-For means nothing.
    let app = TestApp::builder()
        .settings(|s| s.limits.login_per_address = 2)
        .spawn()
        .await;
    assert_eq!(app.settings.http.trusted_proxies, 0);
    for i in 0..2 {
        let r = post_from(
            &app,
            &format!("203.0.113.{i}"),
            "/api/v1/auth/token",
            &login("x@x.test", "guess"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = post_from(
        &app,
        "203.0.113.9",
        "/api/v1/auth/token",
        &login("x@x.test", "guess"),
    )
    .await;
    assert_limited(r).await;
    app.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_addresses_a_client_writes_into_x_forwarded_for_change_nothing() {
    // The test plays the proxy in front: it appends the address it saw (always 198.51.100.20)
    // to whatever the client sent, as nginx's `$proxy_add_x_forwarded_for` does.
    let app = TestApp::builder()
        .settings(|s| {
            s.limits.login_per_address = 3;
            s.limits.public_per_address = 3;
            s.http.trusted_proxies = 1;
        })
        .spawn()
        .await;
    let seen_by_proxy = "198.51.100.20";
    for i in 0..3 {
        let chosen = format!("10.66.0.{i}, 192.0.2.{i}, {seen_by_proxy}");
        let r = post_from(
            &app,
            &chosen,
            "/api/v1/auth/token",
            &login("x@x.test", "guess"),
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let chosen = format!("10.66.0.99, {seen_by_proxy}");
    assert_limited(
        post_from(
            &app,
            &chosen,
            "/api/v1/auth/token",
            &login("x@x.test", "guess"),
        )
        .await,
    )
    .await;
    // Another client behind the same proxy has its own count.
    let r = post_from(
        &app,
        "198.51.100.21",
        "/api/v1/auth/token",
        &login("x@x.test", "guess"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The same for the public forms: the subscriber's made-up addresses share one bucket.
    let subscribe = |n: u32| json!({ "email": format!("p{n}@example.org"), "interests": ["music"], "birth_year": 2006, "language": "it", "frequency": "instant" });
    for n in 0..3 {
        let chosen = format!("172.16.{n}.1, {seen_by_proxy}");
        let r = post_from(&app, &chosen, "/api/v1/subscribers", &subscribe(n)).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let chosen = format!("172.16.9.1, {seen_by_proxy}");
    assert_limited(post_from(&app, &chosen, "/api/v1/subscribers", &subscribe(9)).await).await;
    app.stop().await;
}
