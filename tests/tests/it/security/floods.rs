//! The public forms that send an email to the address they are given (subscribe, register) cannot
//! be turned against a third party's inbox (issue 13, item 4): confirmations are limited per
//! recipient and per client address, the same confirmation again within the repeat window is
//! answered alike and sends nothing, concurrent submissions on PostgreSQL do not pass a limit
//! together, and the pages' forms carry a proof-of-work challenge that is refused when forged or
//! replayed — solved by a real Chromium with JavaScript on, and waited for with it off. Each on
//! SQLite and on PostgreSQL.

use crate::notifier::published_event;
use piazza_e2e::{
    app::{Database, TestApp},
    browser::Browser,
    eventually,
};
use piazza_shared::{
    auth::Keys, confirmations::confirmation_sends, settings::FormSettings, web::challenge,
};
use reqwest::{StatusCode, header::HeaderMap};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::time::Duration;

/// Long enough for a loaded machine (a confirmation crosses scheduler, bus and notifier); a
/// wait ends as soon as what it waits for is there.
const WAIT: Duration = Duration::from_secs(120);

/// An application whose forms have `forms` (defaults, an easy challenge, then `adjust`).
async fn app(
    database: Database,
    adjust: impl FnOnce(&mut FormSettings) + Send + 'static,
) -> TestApp {
    TestApp::builder()
        .database(database)
        .settings(move |s| {
            s.forms = FormSettings {
                challenge_bits: 8,
                ..FormSettings::default()
            };
            adjust(&mut s.forms);
        })
        .spawn()
        .await
}

fn adult(email: &str) -> Value {
    json!({ "email": email, "interests": ["music"], "birth_year": 2000, "language": "it", "frequency": "instant" })
}

/// A twelve-year-old whose guardian is the one written to.
fn child(email: &str, guardian: &str) -> Value {
    json!({ "email": email, "interests": ["music"], "birth_year": 2015, "language": "it", "frequency": "instant", "guardian_email": guardian })
}

/// The value of `name="<field>"`'s `value` attribute in `html`.
fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name} in {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The page's form challenge and the work it asks for.
async fn challenge_of(app: &TestApp, path: &str) -> (String, u8) {
    let html = app
        .api
        .raw()
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let bits = html
        .split("data-challenge=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|b| b.parse().ok())
        .unwrap_or_else(|| panic!("no challenge on {path}: {html}"));
    (field(&html, "challenge"), bits)
}

/// The subscribe form as a browser posts it.
async fn post_subscribe(
    app: &TestApp,
    email: &str,
    token: &str,
    solution: &str,
) -> (StatusCode, HeaderMap, String) {
    let response = app
        .api
        .raw()
        .post(app.url("/subscribe"))
        .form(&[
            ("email", email),
            ("interests", "music"),
            ("birth_year", "2000"),
            ("language", "it"),
            ("frequency", "instant"),
            ("challenge", token),
            ("solution", solution),
        ])
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.unwrap())
}

/// Subscribes through the page with a freshly solved challenge.
async fn subscribe_on_page(app: &TestApp, email: &str) -> (StatusCode, HeaderMap, String) {
    let (token, bits) = challenge_of(app, "/subscribe").await;
    let solution = challenge::solve(&token, bits);
    post_subscribe(app, email, &token, &solution).await
}

async fn api_subscribe(app: &TestApp, body: &Value) -> (StatusCode, HeaderMap, Value) {
    let response = app
        .api
        .raw()
        .post(app.url("/api/v1/subscribers"))
        .json(body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (
        status,
        headers,
        response.json().await.unwrap_or(Value::Null),
    )
}

fn retry_after(headers: &HeaderMap) -> u64 {
    headers["retry-after"].to_str().unwrap().parse().unwrap()
}

/// A 429 problem naming `field`, with a `Retry-After` of at most `most` seconds.
fn assert_problem(
    status: StatusCode,
    headers: &HeaderMap,
    problem: &Value,
    field: &str,
    most: u64,
) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem["type"], "urn:piazza:problem:rate_limited");
    assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    assert!((1..=most).contains(&retry_after(headers)), "{headers:?}");
}

/// A 429 page, in Italian, saying when to try again.
fn assert_limited_page(status: StatusCode, headers: &HeaderMap, html: &str) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{html}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{headers:?}"
    );
    assert!(retry_after(headers) >= 1);
    assert!(html.contains("Riprova fra"), "{html}");
}

/// Confirmation rows the notifier recorded.
async fn sends(app: &TestApp) -> u64 {
    let db = app.db("notifier").await;
    let count = confirmation_sends::Entity::find()
        .count(db.conn())
        .await
        .unwrap();
    db.close().await;
    count
}

/// Waits until `address` received `n` emails, then a moment more, and returns how many it has.
async fn settled_count(app: &TestApp, address: &str, n: usize) -> usize {
    eventually(&format!("{n} emails to {address}"), WAIT, || {
        let count = app.mailbox.to(address).len();
        async move { (count >= n).then_some(()) }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.mailbox.to(address).len()
}

async fn one_recipient_gets_a_bounded_number_of_confirmations(database: Database) {
    let app = app(database, |f| {
        f.per_recipient_per_day = 3;
        f.repeat_window_seconds = 0;
    })
    .await;
    // Someone subscribes made-up children with one parent's address, over and over.
    for n in 0..3 {
        let (status, _, body) = api_subscribe(
            &app,
            &child(&format!("kid{n}@example.org"), "parent@example.org"),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let (status, headers, problem) =
        api_subscribe(&app, &child("kid3@example.org", "Parent@Example.org")).await;
    assert_problem(status, &headers, &problem, "guardian_email", 86_400);
    // The page says so in the visitor's language, as a page.
    let (token, bits) = challenge_of(&app, "/subscribe").await;
    let solution = challenge::solve(&token, bits);
    let response = app
        .api
        .raw()
        .post(app.url("/subscribe"))
        .form(&[
            ("email", "kid4@example.org"),
            ("interests", "music"),
            ("birth_year", "2015"),
            ("guardian_email", "parent@example.org"),
            ("challenge", &token),
            ("solution", &solution),
        ])
        .send()
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    assert_limited_page(status, &headers, &response.text().await.unwrap());
    assert_eq!(settled_count(&app, "parent@example.org", 3).await, 3);
    // Another address is not held back by this one's limit.
    let (status, _, _) = api_subscribe(&app, &adult("someone@example.org")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_recipient_gets_a_bounded_number_of_confirmations_on_sqlite() {
    one_recipient_gets_a_bounded_number_of_confirmations(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_recipient_gets_a_bounded_number_of_confirmations_on_postgres() {
    one_recipient_gets_a_bounded_number_of_confirmations(Database::Postgres).await;
}

async fn one_client_causes_a_bounded_number_of_confirmations(database: Database) {
    let app = app(database, |f| {
        f.per_client_per_hour = 4;
        f.noscript_per_client_per_hour = 2;
        f.noscript_min_seconds = 0;
    })
    .await;
    // Two forms posted without JavaScript, then the no-script limit.
    for n in 0..2 {
        let (token, _) = challenge_of(&app, "/subscribe").await;
        let (status, _, html) =
            post_subscribe(&app, &format!("ns{n}@example.org"), &token, "").await;
        assert_eq!(status, StatusCode::ACCEPTED, "{html}");
    }
    let (token, _) = challenge_of(&app, "/subscribe").await;
    let (status, headers, html) = post_subscribe(&app, "ns2@example.org", &token, "").await;
    assert_limited_page(status, &headers, &html);
    // With the challenge solved the client has its wider limit…
    let (status, _, html) = subscribe_on_page(&app, "js@example.org").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{html}");
    let (status, _, body) = api_subscribe(&app, &adult("api@example.org")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // …and no more, whatever the addresses and the way in.
    let (status, headers, problem) = api_subscribe(&app, &adult("fifth@example.org")).await;
    assert_problem(status, &headers, &problem, "email", 3600);
    let (status, headers, html) = subscribe_on_page(&app, "sixth@example.org").await;
    assert_limited_page(status, &headers, &html);
    assert_eq!(sends(&app).await, 4);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_causes_a_bounded_number_of_confirmations_on_sqlite() {
    one_client_causes_a_bounded_number_of_confirmations(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_causes_a_bounded_number_of_confirmations_on_postgres() {
    one_client_causes_a_bounded_number_of_confirmations(Database::Postgres).await;
}

async fn register(app: &TestApp, event: &str, email: &str) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            None,
            &json!({ "email": email, "name": "Ada", "language": "it" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

async fn a_repeat_within_the_window_answers_alike_and_sends_nothing(database: Database) {
    let app = app(database, |_| {}).await;
    let admin = app.admin().await;
    let starts = piazza_e2e::clock::now() + chrono::Duration::days(60);
    let event = published_event(
        &app,
        &admin,
        json!({
            "title": "Laboratorio di fumetto", "categories": ["workshop"], "capacity": 10,
            "starts_at": starts.to_rfc3339(),
            "ends_at": (starts + chrono::Duration::hours(3)).to_rfc3339()
        }),
    )
    .await;
    // Registered and confirmed, cancelled, registered again within the hour: the same answer…
    // (The confirmation is awaited before the cancellation: a registration cancelled before its
    // confirmation went out has that email withdrawn, which is another story.)
    let first = register(&app, &event, "ada@example.org").await;
    eventually("ada@example.org's confirmation", WAIT, || {
        let found = !app.mailbox.to("ada@example.org").is_empty();
        async move { found.then_some(()) }
    })
    .await;
    let token = first["cancel_url"]
        .as_str()
        .and_then(|u| u.split("token=").nth(1))
        .expect("a cancel link")
        .to_string();
    let id = first["id"].as_str().unwrap();
    let (status, cancelled) = app
        .post(
            &format!("/api/v1/registrations/{id}/cancel?token={token}"),
            None,
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    let again = register(&app, &event, "ada@example.org").await;
    assert_eq!(again["status"], first["status"]);
    // …but one confirmation. Another person's goes after a second one would have.
    register(&app, &event, "bea@example.org").await;
    eventually("bea@example.org's confirmation", WAIT, || {
        let found = !app.mailbox.to("bea@example.org").is_empty();
        async move { found.then_some(()) }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let confirmations = app
        .mailbox
        .to("ada@example.org")
        .into_iter()
        .filter(|e| e.subject.contains("Iscrizione confermata"))
        .count();
    assert_eq!(confirmations, 1);

    // The subscription form too: the same address again within the hour changes and sends
    // nothing (here after an unsubscription, which would otherwise send a new confirmation).
    let (status, _, first) = api_subscribe(&app, &adult("mia@example.org")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // The first confirmation goes out before the unsubscription: the sender withdraws an email
    // to someone no longer subscribed, and then no email at all would be the right count.
    settled_count(&app, "mia@example.org", 1).await;
    let db = app.db("notifier").await;
    piazza_notifier::db::subscribers::Entity::update_many()
        .col_expr(
            piazza_notifier::db::subscribers::Column::Status,
            "unsubscribed".into(),
        )
        .filter(piazza_notifier::db::subscribers::Column::Email.eq("mia@example.org"))
        .exec(db.conn())
        .await
        .unwrap();
    db.close().await;
    let (status, _, second) = api_subscribe(&app, &adult("mia@example.org")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(first, second);
    assert_eq!(settled_count(&app, "mia@example.org", 1).await, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_within_the_window_answers_alike_and_sends_nothing_on_sqlite() {
    a_repeat_within_the_window_answers_alike_and_sends_nothing(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_within_the_window_answers_alike_and_sends_nothing_on_postgres() {
    a_repeat_within_the_window_answers_alike_and_sends_nothing(Database::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_do_not_pass_the_limit_together_on_postgres() {
    let app = app(Database::Postgres, |f| {
        f.per_recipient_per_day = 3;
        f.repeat_window_seconds = 0;
    })
    .await;
    let app = std::sync::Arc::new(app);
    let tries: Vec<_> = (0..12)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move {
                api_subscribe(
                    &app,
                    &child(&format!("c{n}@example.org"), "target@example.org"),
                )
                .await
                .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((accepted, limited), (3, 9), "{statuses:?}");
    assert_eq!(sends(&app).await, 3);
    assert_eq!(settled_count(&app, "target@example.org", 3).await, 3);
    if let Ok(app) = std::sync::Arc::try_unwrap(app) {
        app.stop().await;
    }
}

async fn a_replayed_or_forged_challenge_is_refused(database: Database) {
    let app = app(database, |_| {}).await;
    // Solved once, used twice.
    let (token, bits) = challenge_of(&app, "/subscribe").await;
    let solution = challenge::solve(&token, bits);
    let (status, _, html) = post_subscribe(&app, "first@example.org", &token, &solution).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{html}");
    let (status, _, html) = post_subscribe(&app, "second@example.org", &token, &solution).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Non siamo riusciti a verificare il modulo"),
        "{html}"
    );
    assert!(
        html.contains("name=\"challenge\""),
        "a new challenge to try again: {html}"
    );
    assert_eq!(sends(&app).await, 1);

    // Forged: signed with another key, tampered with, issued for the registration form, a wrong
    // solution, or none.
    let other = Keys::new("a-key-that-is-not-this-sites-at-all-0123456789", &[]);
    let foreign = challenge::issue(&other, &app.settings.forms, "subscribe");
    let own = Keys::from_settings(&app.settings).unwrap();
    let for_register = challenge::issue(&own, &app.settings.forms, "register");
    let (fresh, bits) = challenge_of(&app, "/subscribe").await;
    let mut tampered = fresh.clone();
    let middle = tampered.len() / 2;
    let swapped = if &tampered[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(middle..=middle, swapped);
    let wrong = (0u64..)
        .map(|n| n.to_string())
        .find(|n| !challenge::solves(&fresh, n, bits))
        .unwrap();
    for (token, solution) in [
        (
            foreign.token.clone(),
            challenge::solve(&foreign.token, foreign.bits),
        ),
        (tampered.clone(), challenge::solve(&tampered, bits)),
        (
            for_register.token.clone(),
            challenge::solve(&for_register.token, bits),
        ),
        (fresh.clone(), wrong),
        (String::new(), String::new()),
    ] {
        let (status, _, html) = post_subscribe(&app, "forged@example.org", &token, &solution).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{token}: {html}");
        assert!(html.contains("id=\"form-problem\""), "{html}");
    }
    assert_eq!(sends(&app).await, 1);
    assert!(app.mailbox.to("forged@example.org").is_empty());
    assert!(app.mailbox.to("second@example.org").is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_or_forged_challenge_is_refused_on_sqlite() {
    a_replayed_or_forged_challenge_is_refused(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_or_forged_challenge_is_refused_on_postgres() {
    a_replayed_or_forged_challenge_is_refused(Database::Postgres).await;
}

/// Fills the subscribe form in `browser` as a person would.
async fn fill_subscribe(browser: &Browser, app: &TestApp, email: &str) {
    browser.goto(&app.url("/subscribe")).await;
    browser.type_into("#f-email", email).await;
    browser.click("input[name=interests][value=music]").await;
    browser.type_into("#f-birth_year", "2006").await;
}

async fn chromium_with_javascript_solves_the_challenge(database: Database) {
    // The challenge as deployed (16 bits).
    let app = TestApp::builder().database(database).spawn().await;
    let browser = Browser::start().await;
    fill_subscribe(&browser, &app, "giulia@example.org").await;
    browser
        .click("form[action='/subscribe'] button[type=submit]")
        .await;
    let accepted = browser
        .wait_for_text("#accepted", "giulia@example.org")
        .await;
    assert!(accepted.contains("Controlla la tua casella"), "{accepted}");
    assert_eq!(settled_count(&app, "giulia@example.org", 1).await, 1);
    let db = app.db("notifier").await;
    let row = confirmation_sends::Entity::find()
        .one(db.conn())
        .await
        .unwrap()
        .expect("the confirmation counted");
    assert!(!row.no_script, "solved in the browser");
    db.close().await;

    // How long the browser takes: 20 pages, each with its own challenge.
    let mut times = Vec::new();
    for _ in 0..20 {
        browser.goto(&app.url("/subscribe")).await;
        let ms = eventually("the challenge solved", WAIT, || async {
            browser
                .run(
                    "const f = document.querySelector('form[data-challenge]'); \
                     return f && f.getAttribute('data-solved-ms');",
                    json!([]),
                )
                .await
                .as_str()
                .and_then(|ms| ms.parse::<u64>().ok())
        })
        .await;
        times.push(ms);
    }
    times.sort_unstable();
    println!(
        "challenge ({} bits) solved in Chromium: median {} ms, max {} ms over {} solves ({database:?})",
        app.settings.forms.challenge_bits,
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    );
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_with_javascript_solves_the_challenge_on_sqlite() {
    chromium_with_javascript_solves_the_challenge(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_with_javascript_solves_the_challenge_on_postgres() {
    chromium_with_javascript_solves_the_challenge(Database::Postgres).await;
}

/// An application whose forms without JavaScript wait long enough that filling one never takes
/// the time, on a loaded machine too.
async fn app_with_a_no_script_wait(database: Database) -> TestApp {
    TestApp::builder()
        .database(database)
        .settings(|s| s.forms.noscript_min_seconds = 6)
        .spawn()
        .await
}

/// Sends a filled form without JavaScript at once, sees the page ask to wait, waits, and sends
/// it again. The wait is real: moving the process's clock would move it under every other test
/// running beside this one.
async fn send_after_the_wait(browser: &Browser, app: &TestApp, submit: &str) {
    browser.click(submit).await;
    browser
        .wait_for_text("#form-problem", "attendi qualche secondo")
        .await;
    // The form came back: it is checked from here (its first showing was not, so as not to
    // take the seconds being timed).
    browser.check_pages(true);
    // The page came back with what was typed and a fresh form.
    tokio::time::sleep(Duration::from_secs(app.settings.forms.noscript_min_seconds)).await;
    browser.click(submit).await;
}

/// How many confirmations `service` counted against the no-script limit.
async fn no_script_sends(app: &TestApp, service: &str) -> u64 {
    let db = app.db(service).await;
    let counted = confirmation_sends::Entity::find()
        .filter(confirmation_sends::Column::NoScript.eq(true))
        .count(db.conn())
        .await
        .unwrap();
    db.close().await;
    counted
}

async fn chromium_without_javascript_subscribes_after_a_wait(database: Database) {
    let app = app_with_a_no_script_wait(database).await;
    let browser = Browser::start_without_javascript().await;
    browser.check_pages(false);
    fill_subscribe(&browser, &app, "lea@example.org").await;
    send_after_the_wait(
        &browser,
        &app,
        "form[action='/subscribe'] button[type=submit]",
    )
    .await;
    let accepted = browser.wait_for_text("#accepted", "lea@example.org").await;
    assert!(accepted.contains("Controlla la tua casella"), "{accepted}");
    assert_eq!(settled_count(&app, "lea@example.org", 1).await, 1);
    assert_eq!(no_script_sends(&app, "notifier").await, 1);
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_without_javascript_subscribes_after_a_wait_on_sqlite() {
    chromium_without_javascript_subscribes_after_a_wait(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_without_javascript_subscribes_after_a_wait_on_postgres() {
    chromium_without_javascript_subscribes_after_a_wait(Database::Postgres).await;
}

/// The registration form works without JavaScript too: sent at once it asks to wait, sent again
/// after the wait it registers, counted against the tighter no-script limit.
async fn chromium_without_javascript_registers_after_a_wait(database: Database) {
    let app = app_with_a_no_script_wait(database).await;
    let admin = app.admin().await;
    let starts = piazza_e2e::clock::now() + chrono::Duration::days(30);
    let event = published_event(
        &app,
        &admin,
        json!({
            "title": "Serata di poesia", "categories": ["literature"], "capacity": 20,
            "starts_at": starts.to_rfc3339(),
            "ends_at": (starts + chrono::Duration::hours(2)).to_rfc3339()
        }),
    )
    .await;
    let browser = Browser::start_without_javascript().await;
    browser.check_pages(false);
    browser.goto(&app.url(&format!("/events/{event}"))).await;
    browser.type_into("#f-name", "Lea").await;
    browser.type_into("#f-email", "lea@example.org").await;
    send_after_the_wait(
        &browser,
        &app,
        &format!("form[action='/events/{event}/register'] button[type=submit]"),
    )
    .await;
    browser.wait_for_text("#registered", "Sei iscritto").await;
    eventually("lea@example.org's confirmation", WAIT, || {
        let found = !app.mailbox.to("lea@example.org").is_empty();
        async move { found.then_some(()) }
    })
    .await;
    assert_eq!(no_script_sends(&app, "scheduler").await, 1);
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_without_javascript_registers_after_a_wait_on_sqlite() {
    chromium_without_javascript_registers_after_a_wait(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_without_javascript_registers_after_a_wait_on_postgres() {
    chromium_without_javascript_registers_after_a_wait(Database::Postgres).await;
}
