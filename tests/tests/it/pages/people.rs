//! The administrator runs accounts from the pages, in headless Chromium: invites an operator by
//! email, the operator opens the emailed link, chooses a password and is signed in; a link works
//! once; a reset takes the password away and ends the sessions; a disabled account cannot log in.

use super::PASSWORD;
use piazza_e2e::{
    app::{Database, TestApp},
    browser::Browser,
};

pub async fn log_in(browser: &Browser, app: &TestApp, email: &str, password: &str) {
    browser.goto(&app.url("/login")).await;
    browser.type_into("#f-email", email).await;
    browser.type_into("#f-password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
}

async fn invite_accept_reset_and_disable(database: Database) {
    let app = TestApp::builder().database(database).smtp().spawn().await;
    let token = app.admin().await;
    let browser = Browser::start().await;
    log_in(&browser, &app, "admin@comune.test", PASSWORD).await;
    browser.wait_for_text("main h1", "Richieste").await;

    // An organisation first, then its operator, invited by email.
    browser.click("nav a[href='/admin/accounts']").await;
    browser.click("a[href='/admin/organisations']").await;
    browser.type_into("#f-name", "ARCI Cremona").await;
    browser
        .click("form[action='/admin/organisations'] button")
        .await;
    browser
        .wait_for_text("#organisations", "ARCI Cremona")
        .await;
    browser.click("main a[href='/admin/accounts']").await;
    // An operator without an organisation: said next to the field, in Italian.
    browser.type_into("#f-email", "Ops@Arci.test").await;
    browser
        .click("form[action='/admin/accounts'] button[type=submit]")
        .await;
    let error = browser
        .wait_for_text("#e-organisation", "organizzazione")
        .await;
    assert!(error.contains("un operatore appartiene"), "{error}");
    browser.set_value("#f-organisation", "ARCI Cremona").await;
    browser
        .click("form[action='/admin/accounts'] button[type=submit]")
        .await;
    browser.wait_for_text("#done", "Invito inviato").await;
    let row = browser.wait_for_text("#accounts", "ops@arci.test").await;
    assert!(row.contains("invitato, senza password"), "{row}");
    browser.screenshot("admin-accounts").await;
    // The same address again is refused by the field.
    browser.type_into("#f-email", "ops@arci.test").await;
    browser.set_value("#f-organisation", "ARCI Cremona").await;
    browser
        .click("form[action='/admin/accounts'] button[type=submit]")
        .await;
    browser.wait_for_text("#e-email", "esiste già").await;

    // The operator cannot log in before choosing a password.
    browser.clear_cookies().await;
    log_in(&browser, &app, "ops@arci.test", "").await;
    let invitation = app
        .mailbox
        .wait_for("the invitation", |e| e.to == "ops@arci.test")
        .await;
    assert!(
        invitation.subject.contains("Il tuo account su Piazza"),
        "{}",
        invitation.subject
    );
    assert!(
        invitation.text.contains("ARCI Cremona"),
        "{}",
        invitation.text
    );
    let link = invitation.link("/account/password").expect("a link");
    browser.goto(&link).await;
    browser
        .wait_for_text("#account-email", "ops@arci.test")
        .await;
    // Two different passwords: said by the second field.
    browser
        .type_into("#f-password", "operatore-cremona-1")
        .await;
    browser
        .type_into("#f-password_again", "operatore-cremona-2")
        .await;
    browser
        .click("form[action='/account/password'] button")
        .await;
    browser.wait_for_text("#e-password_again", "diverse").await;
    browser
        .type_into("#f-password", "operatore-cremona-1")
        .await;
    browser
        .type_into("#f-password_again", "operatore-cremona-1")
        .await;
    browser
        .click("form[action='/account/password'] button")
        .await;
    // Signed in, on the operator's home page.
    browser
        .wait_for_text("main h1", "Le mie prenotazioni")
        .await;
    assert!(browser.text("header").await.contains("ARCI Cremona"));
    // The link is spent.
    browser.goto(&link).await;
    browser.wait_for_text("main", "già stato usato").await;
    // The password works at the login form too.
    browser.clear_cookies().await;
    log_in(&browser, &app, "ops@arci.test", "operatore-cremona-1").await;
    browser
        .wait_for_text("main h1", "Le mie prenotazioni")
        .await;

    // The administrator resets the password: the operator's session ends, a new link arrives.
    let admin = Browser::start().await;
    log_in(&admin, &app, "admin@comune.test", PASSWORD).await;
    admin.wait_for_text("main h1", "Richieste").await;
    admin.goto(&app.url("/admin/accounts")).await;
    admin.click("form[action$='/reset'] button").await;
    admin.wait_for_text("#done", "Password azzerata").await;
    let reset = app
        .mailbox
        .wait_for("the reset link", |e| {
            e.to == "ops@arci.test" && e.subject.contains("Nuova password")
        })
        .await;
    assert!(reset.link("/account/password").is_some());
    browser.goto(&app.url("/bookings")).await;
    browser.find("#f-password").await;
    assert!(browser.url().await.contains("/login"), "the session ended");
    log_in(&browser, &app, "ops@arci.test", "operatore-cremona-1").await;
    browser.wait_for_text("#login-error", "errate").await;

    // Disabled: no login, whatever the password.
    admin.click("form[action$='/disable'] button").await;
    admin.wait_for_text("#done", "Account disattivato").await;
    assert!(admin.text("#accounts").await.contains("disattivato"));
    browser
        .goto(&reset.link("/account/password").unwrap_or_default())
        .await;
    browser.wait_for_text("main", "disattivato").await;
    // Each of the administrator's acts is in the audit log.
    let (_, audit) = app.get("/api/v1/audit?limit=100", Some(&token)).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|l| l.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    for action in [
        "organisation.create",
        "account.invite",
        "account.reset",
        "account.disable",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    admin.quit().await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_invites_an_operator_who_sets_a_password_from_the_email() {
    invite_accept_reset_and_disable(Database::Sqlite).await;
}

#[tokio::test]
async fn invitations_work_the_same_on_postgres() {
    invite_accept_reset_and_disable(Database::Postgres).await;
}

#[tokio::test]
async fn a_forged_link_or_another_role_changes_no_account() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    app.add_user(
        "ops@arci.test",
        piazza_shared::auth::Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;
    // Not a link of ours, and a token signed for something else (a session): the same page.
    for token in ["v1.forged.token.here", admin.as_str()] {
        let (status, html) =
            super::page(&app, &format!("/account/password?token={token}"), "").await;
        assert_eq!(status, reqwest::StatusCode::GONE);
        assert!(html.contains("non è valido"), "{html}");
        let (status, _, _) = super::post_form(
            &app,
            "/account/password",
            "",
            &[
                ("token", token),
                ("password", "a-new-password"),
                ("password_again", "a-new-password"),
            ],
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::GONE);
    }
    // An operator cannot see or invite accounts.
    let (_, cookie) = super::log_in(&app, "ops@arci.test").await;
    let (status, _) = super::page(&app, "/admin/accounts", &cookie).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (_, own) = super::page(&app, "/bookings", &cookie).await;
    let (status, _, _) = super::post_form(
        &app,
        "/admin/accounts",
        &cookie,
        &[
            ("csrf", &super::csrf_of(&own)),
            ("email", "x@example.org"),
            ("role", "admin"),
        ],
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (_, accounts) = app.get("/api/v1/audit?limit=100", Some(&admin)).await;
    assert_eq!(accounts["items"], serde_json::json!([]));
    app.stop().await;
}
