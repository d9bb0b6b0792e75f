//! Subscribing: bad input refused with the field named and nothing stored or sent, a second
//! subscription answered alike and sending nothing, links that are forged, expired or meant for
//! something else refused, preferences changed from the manage page and the API, and one-click
//! unsubscribe (a GET from a link scanner changes nothing, on the confirm link as on the
//! unsubscribe link).

use super::{
    WAIT, app, count_to, email, local, manage_link, published_event, subscribe, subscriber,
};
use crate::scheduler::fields;
use chrono::{Datelike, Duration};
use piazza_e2e::eventually;
use piazza_notifier::links::{LinkClaims, MANAGE};
use piazza_shared::auth::Keys;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

fn body(email: &str) -> Value {
    json!({
        "email": email, "interests": ["music"], "birth_year": 2004,
        "language": "it", "frequency": "instant"
    })
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_stored_or_sent() {
    let app = app().await;
    let year = piazza_e2e::clock::now().year();
    let cases = [
        (with(body("x"), "email", json!("not-an-address")), "email"),
        (
            with(body("x"), "email", json!("kid@mailinator.com")),
            "email",
        ),
        (
            with(body("ok@example.org"), "interests", json!(["opera"])),
            "interests",
        ),
        (
            with(body("ok@example.org"), "interests", json!([])),
            "interests",
        ),
        (
            with(body("ok@example.org"), "language", json!("fr")),
            "language",
        ),
        (
            with(body("ok@example.org"), "frequency", json!("daily")),
            "frequency",
        ),
        (
            with(body("ok@example.org"), "birth_year", json!(year + 1)),
            "birth_year",
        ),
        (
            with(body("ok@example.org"), "birth_year", json!(1890)),
            "birth_year",
        ),
        (
            with(body("kid@example.org"), "birth_year", json!(year - 12)),
            "guardian_email",
        ),
        (
            with(
                with(body("kid@example.org"), "birth_year", json!(year - 12)),
                "guardian_email",
                json!("kid@example.org"),
            ),
            "guardian_email",
        ),
    ];
    for (request, field) in cases {
        let (status, problem) = subscribe(&app, request.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{request}: {problem}"
        );
        assert!(
            fields(&problem).iter().any(|f| f.starts_with(field)),
            "{request} should name {field}: {problem}"
        );
    }
    // A good request afterwards: its confirmation is the only email there is.
    subscriber(&app, "ok@example.org", &["music"], "it", "instant").await;
    assert_eq!(
        app.mailbox.messages().len(),
        1,
        "nothing sent for bad input"
    );
    let notifier = app.db("notifier").await;
    let stored = piazza_notifier::db::subscribers::Entity::find()
        .count(notifier.conn())
        .await
        .unwrap();
    assert_eq!(stored, 1, "nothing stored for bad input");
    notifier.close().await;

    // Under 14 the guardian confirms.
    let (status, _) = subscribe(
        &app,
        with(
            with(body("kid@example.org"), "birth_year", json!(year - 12)),
            "guardian_email",
            json!("parent@example.org"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let consent = email(&app, "parent@example.org", "Consenso").await;
    assert!(consent.text.contains("kid@example.org"));
    assert_eq!(count_to(&app, "kid@example.org"), 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribing_twice_answers_alike_and_sends_one_confirmation() {
    let app = app().await;
    let (first_status, first) = subscribe(&app, body("twice@example.org")).await;
    let (second_status, second) = subscribe(&app, body("Twice@Example.org")).await;
    assert_eq!(first_status, StatusCode::ACCEPTED);
    assert_eq!(second_status, StatusCode::ACCEPTED);
    assert_eq!(
        first, second,
        "the answer does not reveal the address is known"
    );
    email(&app, "twice@example.org", "Conferma").await;
    // Another person's confirmation goes after any second one would have.
    subscriber(&app, "later@example.org", &["music"], "it", "instant").await;
    assert_eq!(count_to(&app, "twice@example.org"), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_expired_and_misused_links_are_refused() {
    let app = app().await;
    let confirmation = subscriber(&app, "links@example.org", &["music"], "it", "instant").await;
    let good = local(&app, &confirmation.link("/subscriptions/confirm").unwrap());
    let token = good.split("token=").nth(1).unwrap().to_string();
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('A') { 'B' } else { 'A' });
    let raw = app.api.raw();
    for url in [
        app.url(&format!("/subscriptions/confirm?token={forged}")),
        app.url("/subscriptions/confirm?token=v1.nothing.here"),
        // A confirmation token is no manage or unsubscribe token.
        app.url(&format!("/subscriptions/manage?token={token}")),
    ] {
        let page = raw.get(&url).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{url}");
    }
    let page = raw
        .post(app.url(&format!("/subscriptions/unsubscribe?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let (status, _) = app
        .get(&format!("/api/v1/subscribers/export?token={token}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A manage token past its time.
    let keys = Keys::from_settings(&app.settings).unwrap();
    let expired = keys.sign(
        MANAGE,
        &LinkClaims {
            s: uuid::Uuid::now_v7(),
            e: "links@example.org".into(),
        },
        piazza_e2e::clock::now() - Duration::minutes(1),
    );
    let (status, problem) = app
        .get(&format!("/api/v1/subscribers/export?token={expired}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let (status, _) = app
        .patch(
            &format!("/api/v1/subscribers?token={expired}"),
            None,
            &json!({ "frequency": "weekly" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

/// The subscriber's status and their consent log, read with the manage link's token (made here:
/// the confirmation email carries none).
async fn status_and_consents(app: &piazza_e2e::app::TestApp, email: &str) -> (String, usize) {
    let db = app.db("notifier").await;
    let row = piazza_notifier::db::subscribers::Entity::find()
        .filter(piazza_notifier::db::subscribers::Column::Email.eq(email))
        .one(db.conn())
        .await
        .unwrap()
        .expect("the subscriber");
    let consents = piazza_notifier::db::consents::Entity::find()
        .filter(piazza_notifier::db::consents::Column::SubscriberId.eq(row.id))
        .count(db.conn())
        .await
        .unwrap();
    db.close().await;
    (row.status, usize::try_from(consents).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_of_the_confirm_link_confirms_nothing_and_only_its_button_does() {
    let app = app().await;
    let (status, _) = subscribe(&app, body("scanned@example.org")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let confirmation = email(&app, "scanned@example.org", "Conferma").await;
    let link = local(&app, &confirmation.link("/subscriptions/confirm").unwrap());
    let (_, consents_before) = status_and_consents(&app, "scanned@example.org").await;

    // A mail scanner follows the link, twice, as such scanners do.
    let raw = app.api.raw();
    for _ in 0..2 {
        let page = raw.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains("method=\"post\""),
            "the page asks for a click: {html}"
        );
    }
    assert_eq!(
        status_and_consents(&app, "scanned@example.org").await,
        ("pending".to_string(), consents_before),
        "a GET confirms nothing and records no consent"
    );

    // The page's button: a POST to the same address, as a browser sends it under our
    // no-referrer policy (the origin withheld).
    let clicked = raw
        .post(&link)
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), StatusCode::OK);
    assert!(
        clicked
            .text()
            .await
            .unwrap()
            .contains("Iscrizione confermata")
    );
    assert_eq!(
        status_and_consents(&app, "scanned@example.org").await,
        ("active".to_string(), consents_before + 1)
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_change_from_the_page_and_the_api_and_one_click_unsubscribes() {
    let app = app().await;
    let admin = app.admin().await;
    subscriber(&app, "marta@example.org", &["music"], "it", "instant").await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Jam session", "categories": ["music"],
            "starts_at": "2027-05-07T21:00:00+02:00", "ends_at": "2027-05-07T23:00:00+02:00"
        }),
    )
    .await;
    let news = email(&app, "marta@example.org", "Jam session").await;
    let manage = manage_link(&app, &news);
    let token = manage.split("token=").nth(1).unwrap().to_string();
    let raw = app.api.raw();

    let page = raw.get(&manage).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"music\" checked"), "{html}");

    // The page's form: two interests, weekly, in English.
    let saved = raw
        .post(&manage)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("interests=theatre&interests=dance&frequency=weekly&language=en")
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(saved.text().await.unwrap().contains("Preferences saved"));
    let bad = raw
        .post(&manage)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("interests=opera&frequency=weekly")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (status, data) = app
        .get(&format!("/api/v1/subscribers/export?token={token}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{data}");
    assert_eq!(data["interests"], json!(["theatre", "dance"]));
    assert_eq!(data["frequency"], "weekly");
    assert_eq!(data["language"], "en");
    assert!(
        data["consents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "preferences_changed"),
        "{data}"
    );

    // The API: bad changes name their field and change nothing; a good one applies.
    let path = format!("/api/v1/subscribers?token={token}");
    for (change, field) in [
        (json!({ "interests": [] }), "interests"),
        (json!({ "interests": ["opera"] }), "interests"),
        (json!({ "frequency": "daily" }), "frequency"),
        (json!({ "language": "de" }), "language"),
    ] {
        let (status, problem) = app.patch(&path, None, &change).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{change}: {problem}"
        );
        assert!(
            crate::scheduler::fields(&problem)
                .iter()
                .any(|f| f.starts_with(field)),
            "{problem}"
        );
    }
    let (status, now) = app
        .patch(
            &path,
            None,
            &json!({ "interests": ["music"], "frequency": "instant", "language": "it" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert_eq!(now["interests"], json!(["music"]));
    assert_eq!(now["frequency"], "instant");

    // One-click unsubscribe: the header's URL; a GET (a link scanner) changes nothing.
    let one_click = local(
        &app,
        news.header("List-Unsubscribe")
            .unwrap()
            .trim_matches(['<', '>']),
    );
    let scanned = raw.get(&one_click).send().await.unwrap();
    assert_eq!(scanned.status(), StatusCode::OK);
    let (_, data) = app
        .get(&format!("/api/v1/subscribers/export?token={token}"), None)
        .await;
    assert_eq!(data["status"], "active", "a GET does not unsubscribe");
    let left = raw
        .post(&one_click)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), StatusCode::OK);
    let (_, data) = app
        .get(&format!("/api/v1/subscribers/export?token={token}"), None)
        .await;
    assert_eq!(data["status"], "unsubscribed");

    // The next music event reaches the one still subscribed, not her.
    subscriber(&app, "nico@example.org", &["music"], "it", "instant").await;
    published_event(
        &app,
        &admin,
        json!({
            "title": "Open mic", "categories": ["music"],
            "starts_at": "2027-05-14T21:00:00+02:00", "ends_at": "2027-05-14T23:00:00+02:00"
        }),
    )
    .await;
    email(&app, "nico@example.org", "Open mic").await;
    eventually("the sender to be idle", WAIT, || async {
        let n = count_to(&app, "marta@example.org");
        (n == 2).then_some(())
    })
    .await;
    assert!(
        app.mailbox
            .to("marta@example.org")
            .iter()
            .all(|e| !e.subject.contains("Open mic")),
        "no email after unsubscribing"
    );
    app.stop().await;
}
