//! Forms on Piazza's pages (the preferences and the unsubscribe button of the manage page, the
//! unsubscribe page's button) refuse, with a page, a POST another site made a browser send, and
//! still take Piazza's own page's POST — also when the browser withholds its origin
//! (`Origin: null`, as Chromium does under `Referrer-Policy: no-referrer`) — and a mail
//! provider's RFC 8058 one-click POST.

use piazza_e2e::app::TestApp;
use piazza_notifier::{db::subscribers, links::Links};
use piazza_shared::auth::Keys;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn the_unsubscribe_form_refuses_other_sites_and_takes_its_own_page_and_one_click() {
    let app = TestApp::builder().spawn().await;
    for email in ["a@example.org", "b@example.org"] {
        let (status, _) = app
            .post(
                "/api/v1/subscribers",
                None,
                &json!({ "email": email, "interests": ["music"], "birth_year": 2000, "language": "it", "frequency": "instant" }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let links = Links::new(
        app.settings.public_url(),
        Keys::from_settings(&app.settings).unwrap(),
        60,
    );
    let db = app.db("notifier").await;
    let id_of = |email: &'static str| {
        let db = db.clone();
        async move {
            subscribers::Entity::find()
                .filter(subscribers::Column::Email.eq(email))
                .one(db.conn())
                .await
                .unwrap()
                .expect("the subscriber")
                .id
        }
    };
    let a = id_of("a@example.org").await;
    let manage = links.manage(a, "a@example.org");
    let manage_page = app
        .api
        .raw()
        .get(&manage)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The page's forms: its preferences and the unsubscribe button.
    let actions: Vec<String> = manage_page
        .split("action=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        // As a browser reads the attribute (the templates escape `/` and `&`).
        .map(|s| s.replace("&#x2f;", "/").replace("&amp;", "&"))
        .map(|s| {
            if s.starts_with('/') {
                format!("{}{s}", app.base)
            } else {
                s
            }
        })
        .collect();
    let action = actions
        .iter()
        .find(|a| a.contains("/subscriptions/unsubscribe"))
        .expect("the unsubscribe form")
        .clone();
    let preferences = actions
        .iter()
        .find(|a| a.contains("/subscriptions/manage"))
        .expect("the preferences form")
        .clone();
    let forged = app
        .api
        .raw()
        .post(&preferences)
        .header("origin", "https://evil.example")
        .form(&[
            ("frequency", "instant"),
            ("language", "en"),
            ("interests", "dance"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(
        forged.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a refusal on a page is a page"
    );
    // Our own page's form, its origin withheld by the browser: saved.
    let withheld = app
        .api
        .raw()
        .post(&preferences)
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("frequency", "weekly"),
            ("language", "it"),
            ("interests", "music"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(withheld.status(), StatusCode::OK);
    let export = manage.replace("/subscriptions/manage", "/api/v1/subscribers/export");

    // Another site's page posting the form: refused, nothing changes.
    let forged = app
        .api
        .raw()
        .post(&action)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let sneaky = app
        .api
        .raw()
        .post(&action)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(sneaky.status(), StatusCode::FORBIDDEN);
    let (status, data) = app.api.get(&export, None).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["status"], "pending", "{data}");

    // The page's own form (same origin) goes through.
    let own = app
        .api
        .raw()
        .post(&action)
        .header("origin", &app.base)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let (_, data) = app.api.get(&export, None).await;
    assert_eq!(data["status"], "unsubscribed", "{data}");

    // A mail provider's one-click POST, without browser headers, goes through too.
    let b = id_of("b@example.org").await;
    let one_click = app
        .api
        .raw()
        .post(links.unsubscribe(b, "b@example.org"))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(one_click.status(), StatusCode::OK);
    db.close().await;
    app.stop().await;
}
