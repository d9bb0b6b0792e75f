//! The guards around the pages, over plain HTTP: strangers are sent to log in, the session
//! cookie is HttpOnly and SameSite, a form posted without this session's token or from another
//! site changes nothing, roles hold, and the style sheet is cached.

use super::{PASSWORD, client, csrf_of, day_ahead, hall, log_in, page, rome};
use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::{StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn strangers_are_sent_to_log_in_and_the_session_cookie_is_guarded() {
    let app = TestApp::builder().spawn().await;
    let response = client()
        .get(app.url("/bookings"))
        .send()
        .await
        .expect("a page");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/login?next=%2Fbookings"
    );

    app.add_user("ops@arci.test", Role::Operator, Some("ARCI"), PASSWORD)
        .await;
    let wrong = client()
        .post(app.url("/login"))
        .header(header::ORIGIN, &app.base)
        .form(&[("email", "ops@arci.test"), ("password", "not-it")])
        .send()
        .await
        .expect("the login form");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap_or_default()
            .contains("Email o password errate")
    );

    let (set_cookie, cookie) = log_in(&app, "ops@arci.test").await;
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain http here: {set_cookie}"
    );
    let (status, html) = page(&app, "/bookings", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Le mie prenotazioni"));
    // An operator is not an administrator.
    let (status, html) = page(&app, "/admin/bookings", &cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("riservata ad altri ruoli"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn a_form_without_its_token_or_from_another_site_changes_nothing() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let space = hall(&app, &admin).await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI"))
        .await;
    let day = day_ahead();
    let (_, booking) = app
        .post(
            "/api/v1/bookings",
            Some(&operator),
            &json!({ "space_id": space, "title": "Prove", "attendees": 10,
                     "starts_at": rome(day, "10:00"), "ends_at": rome(day, "11:00") }),
        )
        .await;
    let id = booking["id"].as_str().expect("id").to_string();
    let (_, cookie) = log_in(&app, "admin@comune.test").await;
    let (_, html) = page(&app, "/admin/bookings", &cookie).await;
    let csrf = csrf_of(&html);
    let approve = |origin: &'static str, token: String| {
        let request = client()
            .post(app.url(&format!("/admin/bookings/{id}/approve")))
            .header(header::COOKIE, &cookie)
            .header(
                header::ORIGIN,
                if origin.is_empty() {
                    app.base.as_str()
                } else {
                    origin
                },
            )
            .form(&[("csrf", token)]);
        async move { request.send().await.expect("the approve form").status() }
    };
    assert_eq!(approve("", String::new()).await, StatusCode::FORBIDDEN);
    assert_eq!(
        approve("", "v1.forged.token.x".into()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        approve("https://evil.example", csrf.clone()).await,
        StatusCode::FORBIDDEN
    );
    let (_, still) = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&admin))
        .await;
    assert_eq!(still["status"], "requested", "nothing changed: {still}");

    assert_eq!(approve("", csrf).await, StatusCode::SEE_OTHER);
    let (_, approved) = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&admin))
        .await;
    assert_eq!(approved["status"], "approved");
    app.stop().await;
}

#[tokio::test]
async fn pages_speak_the_visitors_language_and_the_style_sheet_is_cached() {
    let app = TestApp::builder().spawn().await;
    let english = client()
        .get(app.url("/"))
        .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9,it;q=0.5")
        .send()
        .await
        .expect("the calendar");
    let html = english.text().await.unwrap_or_default();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains("What&#x27;s on in the centre") || html.contains("What's on in the centre")
    );
    let chosen = client()
        .get(app.url("/?lang=it"))
        .send()
        .await
        .expect("the calendar");
    assert!(
        chosen.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap_or("")
            .starts_with("piazza_lang=it")
    );
    let html = chosen.text().await.unwrap_or_default();
    assert!(html.contains("Cosa succede in centro"));
    let href = html
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a style sheet link")
        .replace("&#x2f;", "/");
    let css = client()
        .get(app.url(&href))
        .send()
        .await
        .expect("the style sheet");
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap_or("")
            .contains("immutable")
    );
    assert!(
        css.text()
            .await
            .unwrap_or_default()
            .contains(":focus-visible")
    );
    app.stop().await;
}

#[test]
fn the_gateway_sends_each_page_to_the_service_that_serves_it() {
    let locations = crate::deploy_files::gateway_locations();
    for (path, service) in [
        ("/", "scheduler"),
        ("/events/0191d6d5-0000-7000-8000-000000000000", "scheduler"),
        ("/admin/events", "scheduler"),
        ("/admin/seasons", "scheduler"),
        ("/propose", "scheduler"),
        ("/calls", "scheduler"),
        ("/admin/indicators", "scheduler"),
        ("/login", "booking"),
        ("/logout", "booking"),
        ("/spaces/find", "booking"),
        ("/bookings", "booking"),
        ("/bookings/new", "booking"),
        ("/admin/bookings", "booking"),
        ("/admin/spaces", "booking"),
        (
            "/admin/spaces/0191d6d5-0000-7000-8000-000000000000",
            "booking",
        ),
        ("/admin/accounts", "booking"),
        ("/admin/organisations", "booking"),
        ("/account/password", "booking"),
        (
            "/bookings/0191d6d5-0000-7000-8000-000000000000/cancel",
            "booking",
        ),
        ("/assets/piazza.css", "booking"),
        ("/subscribe", "notifier"),
        ("/admin/indicators/spaces.csv", "booking"),
        ("/admin/indicators/outreach", "notifier"),
        ("/admin/monitoring", "monitoring"),
        ("/admin/monitoring/indicators", "monitoring"),
        ("/admin/monitoring/export.csv", "monitoring"),
        ("/api/v1/indicators/values", "monitoring"),
        ("/subscriptions/manage", "notifier"),
    ] {
        assert_eq!(
            crate::deploy_files::routed_to(&locations, path).as_deref(),
            Some(service),
            "deploy/gateway.conf must send {path} to {service}"
        );
    }
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure() {
    let app = TestApp::builder()
        .settings(|s| s.public_url = Some("https://piazza.example.org".parse().expect("a URL")))
        .spawn()
        .await;
    app.add_user("ops@arci.test", Role::Operator, Some("ARCI"), PASSWORD)
        .await;
    let (set_cookie, _) = log_in(&app, "ops@arci.test").await;
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    // Form fields carry their own limits to the browser.
    let (_, html) = page(&app, "/subscribe", "").await;
    assert!(html.contains(r#"min="1900""#), "{html}");
    app.stop().await;
}
