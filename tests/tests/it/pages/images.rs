//! Images from the pages: in headless Chromium an administrator chooses a file for an event on
//! its edit page, and a young person's event page shows it with its alt text, served as JPEG;
//! over HTTP, a refused upload on a space's page is said by its fields, in Italian.

use super::{PASSWORD, client, csrf_of, hall, log_in, page, people};
use crate::scheduler::published;
use piazza_e2e::{
    app::TestApp,
    browser::Browser,
    clock::{day_ahead, rome},
    images::{form, jpeg_size, png},
};
use reqwest::{StatusCode, header};
use serde_json::json;

#[tokio::test]
async fn an_administrator_uploads_an_events_image_and_a_young_person_sees_it() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let event = published(
        &app,
        &admin,
        json!({
            "title": "Jazz in cortile", "description": "Un trio sotto il portico.",
            "categories": ["music"], "age_min": 14, "age_max": 30,
            "starts_at": rome(day_ahead(), "21:00"), "ends_at": rome(day_ahead(), "23:00"),
            "time_zone": "Europe/Rome"
        }),
    )
    .await;
    let id = event["id"].as_str().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("cortile.png");
    std::fs::write(&file, png(1800, 1200)).unwrap();
    let alt = "Tre musicisti sotto il portico del cortile";

    let browser = Browser::start().await;
    people::log_in(&browser, &app, "admin@comune.test", PASSWORD).await;
    browser.wait_for_text("main h1", "Richieste").await;
    browser
        .goto(&app.url(&format!("/admin/events/{id}/edit")))
        .await;
    browser.wait_for_text("#image", "Nessuna immagine").await;
    browser.attach("#f-file", &file).await;
    browser.type_into("#f-alt", alt).await;
    browser.click("#image-form button[type=submit]").await;
    browser.wait_for_url("done=image").await;
    browser
        .wait_for_text("#done-image", "Immagine salvata")
        .await;
    assert!(!browser.text("#image-remove").await.is_empty());

    // Someone without an account.
    browser.clear_cookies().await;
    browser.goto(&app.url(&format!("/events/{id}"))).await;
    browser.wait_for_text("main h1", "Jazz in cortile").await;
    let img = format!("main img[alt='{alt}']");
    browser.find(&img).await;
    let shown = browser
        .run(
            "const i = document.querySelector(arguments[0]); \
             return [i.getAttribute('src'), i.getAttribute('srcset'), i.getAttribute('loading'), \
                     i.getAttribute('width'), i.getAttribute('height')];",
            json!([img]),
        )
        .await;
    let src = shown[0].as_str().unwrap();
    assert!(shown[1].as_str().unwrap().contains("480w"), "{shown}");
    assert!(shown[1].as_str().unwrap().contains("1200w"), "{shown}");
    assert_eq!(shown[2], "lazy");
    assert_eq!(
        (shown[3].as_str(), shown[4].as_str()),
        (Some("1200"), Some("800"))
    );
    let response = client().get(app.url(src)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(jpeg_size(&response.bytes().await.unwrap()), (480, 320));
    // The picture as the page shows it, loaded (lazy images load once in view).
    browser
        .run(
            "document.querySelector(arguments[0]).scrollIntoView();",
            json!([img]),
        )
        .await;
    piazza_e2e::eventually(
        "the image to load",
        std::time::Duration::from_secs(20),
        || async {
            let loaded = browser
                .run(
                    "const i = document.querySelector(arguments[0]); return i.complete && i.naturalWidth > 0;",
                    json!([img]),
                )
                .await;
            (loaded == json!(true)).then_some(())
        },
    )
    .await;
    browser.run("window.scrollTo(0, 0);", json!([])).await;
    browser.screenshot("event-with-image").await;
    // And on the calendar's card.
    browser
        .goto(&app.url(&format!("/?view=list&date={}", day_ahead())))
        .await;
    browser
        .find(&format!("img.card-picture[alt='{alt}']"))
        .await;

    // The administrator removes it again from the edit page: gone from the API and the page.
    people::log_in(&browser, &app, "admin@comune.test", PASSWORD).await;
    browser.wait_for_text("main h1", "Richieste").await;
    browser
        .goto(&app.url(&format!("/admin/events/{id}/edit")))
        .await;
    browser.click("#image-remove button[type=submit]").await;
    browser.wait_for_url("done=image-removed").await;
    browser
        .wait_for_text("#done-image", "Immagine rimossa")
        .await;
    browser.wait_for_text("#image", "Nessuna immagine").await;
    let (_, json) = app.get(&format!("/api/v1/events/{id}"), None).await;
    assert!(json["image"].is_null(), "{json}");
    let response = client().get(app.url(src)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn a_refused_space_image_is_said_by_its_fields_in_italian() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let space = hall(&app, &admin).await;
    let (_, cookie) = log_in(&app, "admin@comune.test").await;
    let path = format!("/admin/spaces/{space}");
    let (_, html) = page(&app, &path, &cookie).await;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let csrf = csrf_of(&html);
    let send = |fields: Vec<(&'static str, String)>, file: Vec<u8>| {
        let (app, cookie, space) = (&app, &cookie, &space);
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (content_type, body) = form(&fields, Some(&file));
            let response = client()
                .post(app.url(&format!("/admin/spaces/{space}/image")))
                .header(header::COOKIE, cookie.as_str())
                .header(header::ORIGIN, &app.base)
                .header(header::CONTENT_TYPE, content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|l| l.to_str().unwrap().to_string());
            (status, location, response.text().await.unwrap())
        }
    };
    let (status, _, html) = send(
        vec![("csrf", csrf.clone()), ("alt", " ".into())],
        b"GIF89a no".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("id=\"e-file\""), "{html}");
    assert!(
        html.contains("formato non accettato: usa JPEG, PNG o WebP"),
        "{html}"
    );
    assert!(html.contains("id=\"e-alt\""), "{html}");
    assert!(html.contains("è obbligatorio"), "{html}");
    // Without this session's token, refused before anything is read into the database.
    let (status, _, _) = send(vec![("alt", "Sala".into())], png(50, 50)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, location, _) = send(
        vec![
            ("csrf", csrf.clone()),
            ("alt", "La sala con le colonne".into()),
        ],
        png(900, 600),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location.as_deref(),
        Some(&*format!("{path}?done=image#image"))
    );
    let (_, html) = page(&app, &path, &cookie).await;
    assert!(html.contains("alt=\"La sala con le colonne\""), "{html}");
    assert!(html.contains("width=\"900\" height=\"600\""), "{html}");
    let (_, json) = app.get(&format!("/api/v1/spaces/{space}"), None).await;
    assert_eq!(json["image"]["alt"], "La sala con le colonne");

    let response = client()
        .post(app.url(&format!("/admin/spaces/{space}/image/remove")))
        .header(header::COOKIE, cookie.as_str())
        .header(header::ORIGIN, &app.base)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, json) = app.get(&format!("/api/v1/spaces/{space}"), None).await;
    assert!(json["image"].is_null(), "{json}");
    app.stop().await;
}
