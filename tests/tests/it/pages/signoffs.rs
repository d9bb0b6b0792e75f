//! The intersectoral working group on the pages, in headless Chromium: the administrator puts two
//! staff accounts in Mobility and Culture and writes a sign-off rule for large bookings of a
//! square; an operator requests one; the Mobility member and the Culture member each sign off
//! from their sector's queue, and the booking is approved (checked through the API).

use super::{PASSWORD, day_ahead, sign_in};
use piazza_e2e::{app::TestApp, browser::Browser, clock::rome};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

const MOBILITY: &str = "mobility_civil_protection";

async fn account_id(app: &TestApp, email: &str) -> String {
    use piazza_booking::db::accounts;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = app.db(piazza_booking::NAME).await;
    let found = accounts::Entity::find()
        .filter(accounts::Column::Email.eq(email))
        .one(db.conn())
        .await
        .unwrap()
        .expect("the account");
    db.close().await;
    found.id.to_string()
}

#[tokio::test]
async fn two_sectors_sign_off_a_large_booking_of_a_square_from_their_queues() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    for email in ["mobilita@comune.test", "cultura@comune.test"] {
        app.add_user(email, Role::Admin, None, PASSWORD).await;
    }
    let (status, square) = app
        .post(
            "/api/v1/spaces",
            Some(&admin),
            &json!({ "name": "Piazza del Comune", "building": "Centro storico",
                     "address": "Piazza del Comune, Cremona", "kind": "square",
                     "capacity": 2000, "time_zone": "Europe/Rome", "opening_hours": [] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{square}");
    let square = square["id"].as_str().unwrap().to_string();
    let mobility_id = account_id(&app, "mobilita@comune.test").await;
    let culture_id = account_id(&app, "cultura@comune.test").await;

    // The administrator puts the two in their sectors and writes the rule.
    let browser = Browser::start().await;
    browser.goto(&app.url("/admin/sectors")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser.wait_for_text("main h1", "Settori").await;
    for (id, code) in [(&mobility_id, MOBILITY), (&culture_id, "culture")] {
        browser
            .click(&format!("#member-{id} input[value='{code}']"))
            .await;
        browser
            .click(&format!("#member-{id} button[type=submit]"))
            .await;
        browser.wait_for_text("#done", "Settori aggiornati").await;
    }
    let members = browser.text(&format!("#sector-{MOBILITY}")).await;
    assert!(members.contains("mobilita@comune.test"), "{members}");
    browser.goto(&app.url("/admin/signoff-rules")).await;
    browser
        .type_into("#f-name", "Grandi eventi in piazza")
        .await;
    browser.set_value("#f-space_kind", "square").await;
    browser.type_into("#f-min_attendees", "100").await;
    browser.click(&format!("#sector-{MOBILITY}")).await;
    browser.click("#sector-culture").await;
    browser
        .click("form[action='/admin/signoff-rules'] button[type=submit]")
        .await;
    browser.wait_for_text("#done", "Regola aggiunta").await;
    let rules = browser.text("#rules").await;
    assert!(rules.contains("Cultura"), "{rules}");
    browser.screenshot("signoff-rules").await;

    // Closing the square for works is Maintenance's: the administrator outside it is told so.
    let later = day_ahead() + chrono::Duration::days(20);
    browser
        .goto(&app.url(&format!("/admin/spaces/{square}")))
        .await;
    browser.set_value("#f-cl_from", &later.to_string()).await;
    browser.set_value("#f-cl_from_time", "08:00").await;
    browser.set_value("#f-cl_to", &later.to_string()).await;
    browser.set_value("#f-cl_to_time", "12:00").await;
    browser
        .type_into("#f-cl_reason", "Rifacimento della pavimentazione")
        .await;
    browser.click("input[name=cl_works]").await;
    browser
        .click(&format!(
            "form[action='/admin/spaces/{square}/closures'] button[type=submit]"
        ))
        .await;
    browser.wait_for_text("#e-cl_works", "Manutenzioni").await;

    // The operator requests the square for a crowd.
    browser.clear_cookies().await;
    browser.goto(&app.url("/bookings/new")).await;
    sign_in(&browser, "ops@arci.test").await;
    browser
        .wait_for_text("main h1", "Richiedi uno spazio")
        .await;
    browser.set_value("#f-space_id", &square).await;
    browser
        .type_into("#f-title", "Concerto di fine estate")
        .await;
    browser.set_value("#f-date", &day_ahead().to_string()).await;
    browser.set_value("#f-start", "20:00").await;
    browser.set_value("#f-end", "23:00").await;
    browser.type_into("#f-attendees", "900").await;
    browser
        .click("form[action='/bookings/new'] button[type=submit]")
        .await;
    browser
        .wait_for_text("#requested", "Richiesta inviata")
        .await;
    let (_, listed) = app.get("/api/v1/bookings", Some(&operator)).await;
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    // The operator's page says which sectors the request waits for.
    let waiting = browser
        .wait_for_text(&format!("#signoffs-{id}"), "Cultura")
        .await;
    assert!(waiting.contains("Mobilità"), "{waiting}");
    assert_eq!(waiting.matches("in attesa").count(), 2, "{waiting}");

    // The administrators' queue shows which sectors have signed, and offers no single approval.
    browser.clear_cookies().await;
    browser.goto(&app.url("/admin/bookings")).await;
    sign_in(&browser, "admin@comune.test").await;
    let signed = browser
        .wait_for_text(&format!("#signed-{id}"), "Cultura")
        .await;
    assert!(signed.contains("in attesa"), "{signed}");

    // Each sector signs off from its own queue.
    for (email, code, done) in [
        ("mobilita@comune.test", MOBILITY, "attende ancora"),
        ("cultura@comune.test", "culture", "approvata"),
    ] {
        browser.clear_cookies().await;
        browser.goto(&app.url("/admin/signoffs")).await;
        sign_in(&browser, email).await;
        let card = browser
            .wait_for_text(&format!("#signoff-{code}-{id}"), "Concerto di fine estate")
            .await;
        assert!(card.contains("in attesa"), "{card}");
        browser
            .click(&format!(
                "form[action='/admin/signoffs/{id}/{code}/approve'] button"
            ))
            .await;
        browser.wait_for_text("#done", done).await;
    }
    browser.goto(&app.url("/admin/signoffs?lang=en")).await;
    browser.wait_for_text("main h1", "Sign-offs to give").await;
    // The operator sees both sectors' approval on their page, in their language.
    browser.clear_cookies().await;
    browser.goto(&app.url("/bookings")).await;
    sign_in(&browser, "ops@arci.test").await;
    browser
        .wait_for_text("main h1", "Le mie prenotazioni")
        .await;
    browser.goto(&app.url("/bookings?lang=en")).await;
    let signed = browser
        .wait_for_text(&format!("#signoffs-{id}"), "Culture")
        .await;
    assert_eq!(signed.matches("approved").count(), 2, "{signed}");
    assert!(!signed.contains("pending"), "{signed}");

    let (status, booking) = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&operator))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(booking["status"], "approved", "{booking}");

    // A second request for the square: Culture turns it down from its queue, with a reason.
    let later = day_ahead() + chrono::Duration::days(1);
    let (status, second) = app
        .post(
            "/api/v1/bookings",
            Some(&operator),
            &json!({ "space_id": square, "title": "Festa di quartiere", "attendees": 900,
                     "starts_at": rome(later, "20:00"), "ends_at": rome(later, "23:00") }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second = second["id"].as_str().unwrap().to_string();
    browser.clear_cookies().await;
    browser.goto(&app.url("/admin/signoffs")).await;
    sign_in(&browser, "cultura@comune.test").await;
    browser
        .wait_for_text(&format!("#signoff-culture-{second}"), "Festa di quartiere")
        .await;
    browser
        .type_into(
            &format!("#reason-culture-{second}"),
            "Sovrapposta al mercato",
        )
        .await;
    browser
        .click(&format!(
            "form[action='/admin/signoffs/{second}/culture/reject'] button"
        ))
        .await;
    browser.wait_for_url("done=").await;
    let (_, refused) = app
        .get(&format!("/api/v1/bookings/{second}"), Some(&operator))
        .await;
    assert_eq!(refused["status"], "rejected", "{refused}");
    assert!(
        refused.to_string().contains("Sovrapposta al mercato"),
        "{refused}"
    );

    // The administrator adds a sector and removes the rule, from their pages.
    browser.clear_cookies().await;
    browser.goto(&app.url("/admin/sectors")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser.find("#f-name_it").await;
    browser.type_into("#f-code", "youth_policies").await;
    browser.type_into("#f-name_it", "Politiche giovanili").await;
    browser.type_into("#f-name_en", "Youth policies").await;
    browser
        .click("form[action='/admin/sectors'] button[type=submit]")
        .await;
    browser.wait_for_url("done=added").await;
    let (_, sectors) = app.get("/api/v1/sectors", Some(&admin)).await;
    assert!(
        sectors.to_string().contains("Politiche giovanili"),
        "{sectors}"
    );
    browser.goto(&app.url("/admin/signoff-rules")).await;
    browser
        .click("form[action$='/remove'] button[type=submit]")
        .await;
    browser.wait_for_url("done=removed").await;
    let (_, rules) = app.get("/api/v1/signoff-rules", Some(&admin)).await;
    assert!(
        !rules.to_string().contains("Grandi eventi in piazza"),
        "{rules}"
    );
    browser.quit().await;
    app.stop().await;
}
