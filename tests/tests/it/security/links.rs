//! Young people's links: signed for one person and one purpose, expiring. A link opens its own
//! person's data only, never for another purpose, not after it expires, and not once the address
//! it was sent to has changed.

use piazza_e2e::app::TestApp;
use piazza_notifier::{
    db::subscribers,
    links::{LinkClaims, Links, MANAGE},
};
use piazza_shared::auth::Keys;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

#[tokio::test]
async fn a_link_opens_its_own_persons_data_for_its_purpose_until_it_expires() {
    let app = TestApp::builder().spawn().await;
    for email in ["giulia@example.org", "marco@example.org"] {
        let (status, _) = app
            .post(
                "/api/v1/subscribers",
                None,
                &json!({ "email": email, "interests": ["music"], "birth_year": 2001, "language": "it", "frequency": "weekly" }),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
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
    let (giulia, marco) = (
        id_of("giulia@example.org").await,
        id_of("marco@example.org").await,
    );
    let keys = Keys::from_settings(&app.settings).unwrap();
    let links = Links::new(app.settings.public_url(), keys.clone(), 60);
    let export = |token: String| {
        let url = app.url(&format!("/api/v1/subscribers/export?token={token}"));
        let api = app.api.clone();
        async move { api.get(&url, None).await }
    };

    // Her manage link shows her data, and only hers.
    let token = links.token(MANAGE, giulia, "giulia@example.org");
    let (status, data) = export(token.clone()).await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["email"], "giulia@example.org");
    assert!(!data.to_string().contains("marco"), "{data}");

    // A link naming Marco's id with Giulia's address (or the other way) opens nothing.
    let (status, _) = export(links.token(MANAGE, marco, "giulia@example.org")).await;
    assert!(status.is_client_error() && status != StatusCode::OK);
    // An unsubscribe link is not a manage link.
    let (status, _) =
        export(links.token("subscription.unsubscribe", giulia, "giulia@example.org")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Expired.
    let claims = LinkClaims {
        s: giulia,
        e: "giulia@example.org".into(),
    };
    let expired = keys.sign(
        MANAGE,
        &claims,
        piazza_e2e::clock::now() - chrono::Duration::seconds(1),
    );
    let (status, problem) = export(expired).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"].as_str().unwrap().contains("expired"),
        "{problem}"
    );
    // Tampered: Marco's id under Giulia's signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let forged = links.token(MANAGE, marco, "marco@example.org");
    parts[2] = forged.split('.').nth(2).unwrap().to_string();
    let (status, _) = export(parts.join(".")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    db.close().await;
    app.stop().await;
}
