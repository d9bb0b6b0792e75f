//! Ideas from anyone: a person without an account sends an idea to a call that takes them, opens
//! the verification link from the email, staff accept it into a proposal of the call (or decline
//! it with a reason), and the author is told by email — on the embedded default and on
//! PostgreSQL + RabbitMQ with a real SMTP server. Unverified ideas stay invisible to staff;
//! repeated submissions for one address are limited like the other public forms and send no
//! extra emails; bad input is refused naming the field.

use super::{Tap, expect};
use crate::notifier::local;
use chrono::{Datelike, SubsecRound};
use piazza_e2e::{app::TestApp, eventually, mail::Email};
use piazza_shared::contracts::idea::{IdeaReceived, IdeaTakenUp};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// A season from today for a year (never a fixed date).
async fn season(app: &TestApp, admin: &str) -> String {
    let today = piazza_e2e::clock::now().date_naive();
    let season = expect(
        app,
        "/api/v1/seasons",
        Some(admin),
        json!({
            "name": "Stagione delle idee", "starts_on": today.to_string(),
            "ends_on": (today + chrono::Duration::days(365)).to_string()
        }),
        StatusCode::CREATED,
    )
    .await;
    season["id"].as_str().unwrap().to_string()
}

/// An open call of `season`, taking ideas from anyone when `ideas`.
async fn call(app: &TestApp, admin: &str, season: &str, title: &str, ideas: bool) -> String {
    let today = piazza_e2e::clock::now().date_naive();
    let call = expect(
        app,
        "/api/v1/calls",
        Some(admin),
        json!({
            "season_id": season, "title": title, "description": "Idee per il centro storico",
            "opens_at": today.to_string(), "closes_at": (today + chrono::Duration::days(30)).to_string(),
            "accepts_ideas": ideas
        }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(call["accepts_ideas"], ideas, "{call}");
    call["id"].as_str().unwrap().to_string()
}

fn idea(call: &str, title: &str, email: &str, language: &str) -> Value {
    json!({
        "call_id": call, "title": title,
        "description": "Un murale dipinto insieme sul muro del cortile, con i ragazzi del quartiere.",
        "name": "Giulia", "email": email, "group": "Ragazzi di via Platina",
        "birth_year": i64::from(piazza_e2e::clock::now().year()) - 16,
        "language": language
    })
}

async fn email(app: &TestApp, to: &str, subject: &str) -> Email {
    eventually(&format!("an email to {to} about {subject}"), WAIT, || {
        let found = app
            .mailbox
            .to(to)
            .into_iter()
            .find(|e| e.subject.contains(subject));
        async move { found }
    })
    .await
}

/// The queue as staff see it.
async fn queue(app: &TestApp, admin: &str, status: &str) -> Vec<Value> {
    let (got, body) = app
        .get(&format!("/api/v1/ideas?status={status}"), Some(admin))
        .await;
    assert_eq!(got, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

/// The idea id and token of a verification link.
fn parts(link: &str) -> (String, String) {
    let url = url::Url::parse(link).unwrap();
    let id = url.path_segments().unwrap().nth(1).unwrap().to_string();
    let token = url
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .to_string();
    (id, token)
}

/// The whole journey on `app`: form → verification → moderation → proposal → outcome email;
/// with a `tap` on the bus, the monitoring's messages too.
async fn journey(app: TestApp, tap: Option<Tap>) {
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let call = call(&app, &admin, &season, "Idee per i cortili", true).await;
    let author = "giulia@example.org";
    let (got, receipt) = app
        .post(
            "/api/v1/ideas",
            None,
            &idea(&call, "Murale nel cortile", author, "it"),
        )
        .await;
    assert_eq!(got, StatusCode::ACCEPTED, "{receipt}");
    assert_eq!(receipt["status"], "unverified");

    // Nothing reaches staff before the author verifies.
    let verification = email(&app, author, "Conferma la tua idea").await;
    assert!(queue(&app, &admin, "verified").await.is_empty());
    let (got, problem) = app
        .get("/api/v1/ideas?status=unverified", Some(&admin))
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "status", "{problem}");

    // The link opens a page in the author's language, which asks before verifying.
    let link = verification
        .link("/ideas/")
        .unwrap_or_else(|| panic!("no link: {}", verification.text));
    let page = piazza_e2e::http()
        .get(local(&app, &link))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"verify\""), "{html}");
    assert!(
        html.contains("<html lang=\"it\""),
        "the author's language: {html}"
    );
    let (id, token) = parts(&link);
    let (got, _) = app.get(&format!("/api/v1/ideas/{id}"), Some(&admin)).await;
    assert_eq!(
        got,
        StatusCode::NOT_FOUND,
        "an unverified idea is not found by staff"
    );
    let (got, body) = app
        .post(
            &format!("/api/v1/ideas/{id}/verify?token=wrong{token}"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(got, StatusCode::FORBIDDEN, "{body}");
    let (got, body) = app
        .post(
            &format!("/api/v1/ideas/{id}/verify?token={token}"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(got, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "verified");

    let waiting = queue(&app, &admin, "verified").await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["email"], author);
    assert_eq!(waiting[0]["age_band"], "14_17");
    assert_eq!(waiting[0]["group"], "Ragazzi di via Platina");

    // Staff take it up: a proposal of the call, marked as coming from the idea.
    let decision = expect(
        &app,
        &format!("/api/v1/ideas/{id}/accept"),
        Some(&admin),
        json!({ "preferred_slot": { "weekday": "sat", "starts": "15:00", "ends": "18:00" } }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(decision["idea"]["status"], "accepted");
    let proposal = decision["proposal"]["id"].as_str().unwrap().to_string();
    let (got, proposals) = app
        .get(&format!("/api/v1/calls/{call}/proposals"), Some(&admin))
        .await;
    assert_eq!(got, StatusCode::OK, "{proposals}");
    let made = proposals
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == proposal.as_str())
        .unwrap_or_else(|| panic!("no proposal {proposal}: {proposals}"));
    assert_eq!(made["idea_id"], id.as_str());
    assert_eq!(made["title"], "Murale nel cortile");
    assert_eq!(made["status"], "submitted");
    let (got, _) = app
        .post(
            &format!("/api/v1/ideas/{id}/decline"),
            Some(&admin),
            &json!({ "reason": "troppo tardi" }),
        )
        .await;
    assert_eq!(got, StatusCode::CONFLICT, "an idea is decided once");

    let outcome = email(&app, author, "La tua idea è stata accolta").await;
    assert!(
        outcome.text.contains("Murale nel cortile"),
        "{}",
        outcome.text
    );
    // One email per step: the verification and the outcome.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.mailbox.to(author).len(), 2);
    if let Some(tap) = tap {
        // The monitoring counts ideas received and taken up from messages without personal data.
        let received = tap
            .wait::<IdeaReceived>("idea.received", |m| m.idea_id.to_string() == id)
            .await;
        assert_eq!(received.age_band.as_deref(), Some("14_17"));
        assert!(received.informal_group);
        let taken = tap
            .wait::<IdeaTakenUp>("idea.taken_up", |m| m.idea_id.to_string() == id)
            .await;
        assert_eq!(taken.proposal_id.to_string(), proposal);
        // Asked for a resync, the scheduler sends both again as they were.
        super::ask_for_resync(&app, &[piazza_shared::contracts::resync::IDEAS]).await;
        // Sent again from what is stored: PostgreSQL keeps microseconds.
        let received_as_stored = |mut m: IdeaReceived| {
            m.received_at = m.received_at.trunc_subsecs(6);
            m
        };
        let taken_as_stored = |mut m: IdeaTakenUp| {
            m.taken_up_at = m.taken_up_at.trunc_subsecs(6);
            m
        };
        eventually("the idea again", super::WAIT, || async {
            let received_again = tap
                .all::<IdeaReceived>()
                .into_iter()
                .filter(|m| m.idea_id == received.idea_id)
                .map(received_as_stored)
                .collect::<Vec<_>>();
            let taken_again = tap
                .all::<IdeaTakenUp>()
                .into_iter()
                .filter(|m| m.idea_id == taken.idea_id)
                .map(taken_as_stored)
                .collect::<Vec<_>>();
            let (r, t) = (
                received_as_stored(received.clone()),
                taken_as_stored(taken.clone()),
            );
            (received_again == [r.clone(), r] && taken_again == [t.clone(), t]).then_some(())
        })
        .await;
        for text in [
            serde_json::to_string(&received).unwrap(),
            serde_json::to_string(&taken).unwrap(),
        ] {
            assert!(!text.contains(author) && !text.contains("Giulia"), "{text}");
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idea_goes_from_the_form_through_verification_and_moderation_to_a_proposal_embedded() {
    journey(TestApp::builder().spawn().await, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idea_goes_from_the_form_through_verification_and_moderation_to_a_proposal_on_postgres()
{
    // PostgreSQL, RabbitMQ and a real SMTP server, as the notifier's tests run.
    let app = crate::notifier::app().await;
    let tap = Tap::queue(&app.settings.bus, piazza_e2e::infra::TAP, vec!["idea.*"]).await;
    journey(app, Some(tap)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_idea_tells_its_author_why_in_their_language() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let call = call(&app, &admin, &season, "Ideas for the squares", true).await;
    let author = "sam@example.org";
    let (got, body) = app
        .post(
            "/api/v1/ideas",
            None,
            &idea(&call, "Skate ramp", author, "en"),
        )
        .await;
    assert_eq!(got, StatusCode::ACCEPTED, "{body}");
    let link = email(&app, author, "Confirm your idea")
        .await
        .link("/ideas/")
        .unwrap();
    let (id, token) = parts(&link);
    let (got, _) = app
        .post(
            &format!("/api/v1/ideas/{id}/verify?token={token}"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(got, StatusCode::OK);
    let (got, problem) = app
        .post(
            &format!("/api/v1/ideas/{id}/decline"),
            Some(&admin),
            &json!({ "reason": " " }),
        )
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reason", "{problem}");
    let decision = expect(
        &app,
        &format!("/api/v1/ideas/{id}/decline"),
        Some(&admin),
        json!({ "reason": "The square is closed for works this season" }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(decision["idea"]["status"], "declined");
    assert!(decision["proposal"].is_null());
    let told = email(&app, author, "Your idea").await;
    assert!(
        told.text
            .contains("The square is closed for works this season"),
        "{}",
        told.text
    );
    assert_eq!(queue(&app, &admin, "declined").await.len(), 1);
    assert!(queue(&app, &admin, "verified").await.is_empty());
    // On the author's request, their data goes; the idea stays for the counts.
    let erased = expect(
        &app,
        &format!("/api/v1/ideas/{id}/erase"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    assert!(
        erased["email"].as_str().unwrap().starts_with("erased:"),
        "{erased}"
    );
    let kept = queue(&app, &admin, "declined").await;
    assert!(
        !serde_json::to_string(&kept)
            .unwrap()
            .contains("sam@example.org"),
        "{kept:?}"
    );
    // The notifier forgets the author too: its records of the two emails stay, for the counts,
    // under a placeholder that names nobody.
    let recipients = eventually("the notifier forgetting the author", WAIT, || async {
        let db = app.db("notifier").await;
        let rows = piazza_notifier::db::deliveries::Entity::find()
            .filter(
                piazza_notifier::db::deliveries::Column::SubjectId
                    .eq(id.parse::<uuid::Uuid>().unwrap()),
            )
            .all(db.conn())
            .await
            .unwrap();
        db.close().await;
        let recipients: Vec<String> = rows.into_iter().map(|d| d.recipient).collect();
        (!recipients.iter().any(|r| r.contains("sam@"))).then_some(recipients)
    })
    .await;
    assert_eq!(recipients.len(), 2, "{recipients:?}");
    assert!(
        recipients.iter().all(|r| r.starts_with("erased:")),
        "{recipients:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_ideas_for_one_address_are_limited_and_send_no_extra_emails() {
    let app = TestApp::builder()
        .settings(|s| s.forms.per_recipient_per_day = 2)
        .spawn()
        .await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let first = call(&app, &admin, &season, "Primo bando", true).await;
    let second = call(&app, &admin, &season, "Secondo bando", true).await;
    let third = call(&app, &admin, &season, "Terzo bando", true).await;
    let author = "flood@example.org";
    // The same idea again and again to one call: answered alike, one email.
    for _ in 0..3 {
        let (got, body) = app
            .post(
                "/api/v1/ideas",
                None,
                &idea(&first, "Orto sul tetto", author, "it"),
            )
            .await;
        assert_eq!(got, StatusCode::ACCEPTED, "{body}");
    }
    email(&app, author, "Orto sul tetto").await;
    let (got, body) = app
        .post(
            "/api/v1/ideas",
            None,
            &idea(&second, "Cinema all'aperto", author, "it"),
        )
        .await;
    assert_eq!(got, StatusCode::ACCEPTED, "{body}");
    email(&app, author, "Cinema all'aperto").await;
    // A third confirmation to the address in a day is over the limit.
    let (got, problem) = app
        .post(
            "/api/v1/ideas",
            None,
            &idea(&third, "Biblioteca in piazza", author, "it"),
        )
        .await;
    assert_eq!(got, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "email", "{problem}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        app.mailbox.to(author).len(),
        2,
        "no email beyond the two admitted"
    );
    assert!(queue(&app, &admin, "verified").await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ideas_are_refused_naming_their_fields() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let open = call(&app, &admin, &season, "Aperto alle idee", true).await;
    let closed = call(&app, &admin, &season, "Solo operatori", false).await;
    let refused = |mut body: Value, change: Value| {
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let base = idea(&open, "Concerto", "ok@example.org", "it");
    for (change, field) in [
        (json!({ "title": "" }), "title"),
        (json!({ "description": "  " }), "description"),
        (json!({ "name": "" }), "name"),
        (json!({ "email": "not-an-address" }), "email"),
        (json!({ "age_band": "old" }), "birth_year"),
        (json!({ "language": "de" }), "language"),
        (json!({ "call_id": closed }), "call_id"),
    ] {
        let (got, problem) = app
            .post(
                "/api/v1/ideas",
                None,
                &refused(base.clone(), change.clone()),
            )
            .await;
        assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {problem}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with(field)),
            "{change}: {problem}"
        );
    }
    let mut band_only = base.clone();
    band_only.as_object_mut().unwrap().remove("birth_year");
    band_only["age_band"] = json!("teen");
    let (got, problem) = app.post("/api/v1/ideas", None, &band_only).await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "age_band", "{problem}");
    let unknown = refused(base.clone(), json!({ "call_id": uuid::Uuid::now_v7() }));
    let (got, _) = app.post("/api/v1/ideas", None, &unknown).await;
    assert_eq!(got, StatusCode::NOT_FOUND);
    let (got, problem) = app
        .post(
            &format!("/api/v1/ideas/{}/accept", uuid::Uuid::now_v7()),
            Some(&admin),
            &json!({ "preferred_slot": { "weekday": "sat", "starts": "25:00", "ends": "18:00" } }),
        )
        .await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        problem["errors"][0]["field"], "preferred_slot.starts",
        "{problem}"
    );
    assert_eq!(app.mailbox.to("ok@example.org").len(), 0);
    app.stop().await;
}
