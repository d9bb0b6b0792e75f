//! Images of spaces and events through the API, on the embedded default (SQLite, in-process bus)
//! and on PostgreSQL: an administrator uploads a PNG drawn by the test, anyone reads it back as
//! JPEG 480 or 1200 px wide with an ETag (304 when unchanged), a missing alt text or a file that
//! is no image is refused naming its field, an operator may not upload or remove, and a removed
//! image is gone.

use crate::scheduler::{published, space};
use piazza_e2e::{
    app::TestApp,
    clock::{day_ahead, rome},
    images::{jpeg_size, png, upload},
};
use piazza_shared::auth::Role;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// The one field a 422 names.
fn field_of(problem: &Value) -> &str {
    problem["errors"][0]["field"].as_str().unwrap_or_default()
}

/// `GET url` with no token: status, headers and bytes.
async fn fetch(
    app: &TestApp,
    url: &str,
    etag: Option<&str>,
) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let mut request = app.api.raw().get(app.url(url));
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let response = request.send().await.expect("GET the image");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the body").to_vec();
    (status, headers, bytes)
}

/// The whole life of the image of the thing at `item` (`/api/v1/spaces/{id}`, …).
async fn an_image_lives_and_dies(app: &TestApp, item: &str) {
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let url = app.url(&format!("{item}/image"));
    let client = app.api.raw();
    let picture = png(2000, 1000);

    let (status, _) = upload(client, &url, &operator, Some("Il cortile"), Some(&picture)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = upload(client, &url, &admin, None, Some(&picture)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(field_of(&problem), "alt", "{problem}");
    let (status, problem) = upload(client, &url, &admin, Some("   "), Some(&picture)).await;
    assert_eq!(field_of(&problem), "alt", "{status} {problem}");
    let (status, problem) = upload(
        client,
        &url,
        &admin,
        Some("Il cortile"),
        Some(b"certainly not an image"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(field_of(&problem), "file", "{problem}");
    let (_, json) = app.get(item, Some(&admin)).await;
    assert!(json["image"].is_null(), "{json}");

    let alt = "Il cortile di Palazzo Affaitati al tramonto";
    let (status, image) = upload(client, &url, &admin, Some(alt), Some(&picture)).await;
    assert_eq!(status, StatusCode::OK, "{image}");
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(1200), Some(600))
    );
    // The item's JSON says where its image is.
    let (_, json) = app.get(item, None).await;
    assert_eq!(json["image"], image, "{json}");
    assert_eq!(json["image"]["alt"], alt);
    let served = json["image"]["url"].as_str().unwrap().to_string();
    assert!(served.starts_with(&format!("{item}/image?")), "{served}");

    let (status, headers, small) = fetch(app, &format!("{served}&size=480"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .starts_with("public, max-age="),
        "{headers:?}"
    );
    assert_eq!(jpeg_size(&small), (480, 240));
    let (_, _, large) = fetch(app, &format!("{item}/image?size=1200"), None).await;
    assert_eq!(jpeg_size(&large), (1200, 600));
    let (_, _, default) = fetch(app, &served, None).await;
    assert_eq!(jpeg_size(&default), (1200, 600));
    let (status, problem) = app.get(&format!("{item}/image?size=700"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&problem), "size");

    // Unchanged: 304, with no body; each size has its own tag.
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    let (status, again, body) = fetch(app, &format!("{served}&size=480"), Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(again[header::ETAG].to_str().unwrap(), etag);
    assert!(body.is_empty());
    let (status, _, _) = fetch(app, &served, Some(&etag)).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = app.delete(&format!("{item}/image"), Some(&operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.delete(&format!("{item}/image"), Some(&admin)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, headers, _) = fetch(app, &served, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let (_, json) = app.get(item, None).await;
    assert!(json["image"].is_null(), "{json}");
    let (status, _) = app.delete(&format!("{item}/image"), Some(&admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_space(app: &TestApp) -> String {
    let admin = app.admin().await;
    format!(
        "/api/v1/spaces/{}",
        space(app, &admin, "Cortile Affaitati").await
    )
}

async fn a_published_event(app: &TestApp) -> String {
    let admin = app.admin().await;
    let event = published(
        app,
        &admin,
        json!({
            "title": "Concerto in cortile", "description": "Musica", "categories": ["music"],
            "starts_at": rome(day_ahead(), "21:00"), "ends_at": rome(day_ahead(), "23:00"),
            "time_zone": "Europe/Rome"
        }),
    )
    .await;
    format!("/api/v1/events/{}", event["id"].as_str().unwrap())
}

#[tokio::test]
async fn a_spaces_image_is_stored_resized_cached_and_removed() {
    let app = TestApp::builder().spawn().await;
    let item = a_space(&app).await;
    an_image_lives_and_dies(&app, &item).await;
    app.stop().await;
}

#[tokio::test]
async fn a_spaces_image_is_stored_resized_cached_and_removed_on_postgres() {
    let app = TestApp::builder().postgres().spawn().await;
    let item = a_space(&app).await;
    an_image_lives_and_dies(&app, &item).await;
    app.stop().await;
}

#[tokio::test]
async fn an_events_image_is_stored_resized_cached_and_removed() {
    let app = TestApp::builder().spawn().await;
    let item = a_published_event(&app).await;
    an_image_lives_and_dies(&app, &item).await;
    app.stop().await;
}

#[tokio::test]
async fn an_events_image_is_stored_resized_cached_and_removed_on_postgres() {
    let app = TestApp::builder().postgres().spawn().await;
    let item = a_published_event(&app).await;
    an_image_lives_and_dies(&app, &item).await;
    app.stop().await;
}

#[tokio::test]
async fn an_unpublished_events_image_is_hidden_from_the_public_and_shown_in_its_calendar_card() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let day = day_ahead() + chrono::Duration::days(1);
    let created = crate::scheduler::event(
        &app,
        &admin,
        json!({
            "title": "Prove aperte", "description": "Teatro", "categories": ["theatre"],
            "starts_at": rome(day, "21:00"), "ends_at": rome(day, "23:00"),
            "time_zone": "Europe/Rome"
        }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let item = format!("/api/v1/events/{id}");
    let (status, image) = upload(
        app.api.raw(),
        &app.url(&format!("{item}/image")),
        &admin,
        Some("Il palco vuoto"),
        Some(&png(600, 400)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{image}");
    // Smaller than 1200 px: kept as it is, never enlarged.
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(600), Some(400))
    );
    let (status, _, _) = fetch(&app, &format!("{item}/image"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&format!("{item}/image"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post(&format!("{item}/publish"), Some(&admin), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, calendar) = app
        .get(
            &format!(
                "/api/v1/events?from={day}&to={}",
                day + chrono::Duration::days(1)
            ),
            None,
        )
        .await;
    assert_eq!(calendar["items"][0]["image"], image, "{calendar}");
    app.stop().await;
}
