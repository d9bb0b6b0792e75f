//! The tables' pages in headless Chromium, by clicking: an administrator sets up a table, seats
//! a sector and a young people's representative, schedules a meeting in a space (a wrong time
//! explained by its field; booking confirms the slot), records the minutes of a meeting that has
//! begun, and the public page shows the next meeting and the published minutes, in Italian and
//! in English. Every page is checked by axe-core as it is reached.

use super::{WAIT, expect, meeting_when, space};
use crate::pages::{sign_in, submit};
use piazza_e2e::{
    app::TestApp,
    browser::Browser,
    clock::{self, day_ahead},
    eventually,
};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_runs_a_table_from_the_pages_and_the_public_reads_its_minutes() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let hall = space(&app, &admin, "Sala Puerari").await;
    let day = day_ahead();
    let browser = Browser::start().await;

    // The table, set up from the tables page.
    browser.goto(&app.url("/admin/tables")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser.type_into("#f-name", "Tavolo del cortile").await;
    browser
        .type_into("#f-theme", "Riaprire il cortile di Palazzo Affaitati")
        .await;
    browser.set_value("#f-funding_line", "fesr").await;
    submit(&browser, "/admin/tables").await;
    browser.wait_for_text("#done", "Tavolo aperto").await;
    let url = browser.url().await;
    let table_id = url
        .split("/admin/tables/")
        .nth(1)
        .and_then(|rest| rest.split('?').next())
        .expect("the table's page")
        .to_string();
    let members = format!("/admin/tables/{table_id}/members");

    // Its members: a sector, and a young people's representative (whose address only
    // administrators see).
    browser.set_value("#f-kind", "sector").await;
    browser.set_value("#f-sector", "culture").await;
    submit(&browser, &members).await;
    browser
        .wait_for_text("#done", "Partecipante aggiunto")
        .await;
    browser.set_value("#f-kind", "person").await;
    browser.type_into("#f-name", "Luca Bianchi").await;
    browser.type_into("#f-email", "luca@example.test").await;
    browser.set_value("#f-role", "youth_representative").await;
    submit(&browser, &members).await;
    let listed = browser
        .wait_for_text("#member-list", "luca@example.test")
        .await;
    assert!(listed.contains("Cultura"), "{listed}");
    assert!(listed.contains("rappresentante dei giovani"), "{listed}");

    // A meeting: an end before the start is explained by the field, then it is scheduled.
    let meetings = format!("/admin/tables/{table_id}/meetings");
    eventually("the space in the list", WAIT, || async {
        browser
            .goto(&app.url(&format!("/admin/tables/{table_id}")))
            .await;
        let options = browser.text("#f-space_id").await;
        options.contains("Sala Puerari").then_some(())
    })
    .await;
    browser
        .type_into("#f-title", "Sopralluogo al cortile")
        .await;
    browser.set_value("#f-space_id", &hall).await;
    browser.set_value("#f-date", &day.to_string()).await;
    browser.set_value("#f-start", "17:00").await;
    browser.set_value("#f-end", "16:00").await;
    browser
        .type_into("#f-agenda", "Stato del cortile; orari d'apertura")
        .await;
    submit(&browser, &meetings).await;
    let problem = browser.wait_for_text("#problems", "Fine").await;
    assert!(problem.contains("deve venire dopo l'inizio"), "{problem}");
    browser.set_value("#f-end", "19:00").await;
    submit(&browser, &meetings).await;
    browser.wait_for_text("#done", "Incontro fissato").await;
    let (status, listed) = app
        .get(&format!("/api/v1/tables/{table_id}/meetings"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let planned = listed["items"][0]["id"].as_str().unwrap().to_string();
    meeting_when(&app, None, &table_id, &planned, "the slot confirmed", |m| {
        m["space_status"] == "confirmed"
    })
    .await;
    browser
        .goto(&app.url(&format!("/admin/tables/{table_id}")))
        .await;
    browser
        .find(&format!(
            "[data-meeting='{planned}'] [data-space-status='confirmed']"
        ))
        .await;

    // A meeting that has just begun is recorded from its form.
    let start = clock::now() + chrono::Duration::seconds(2);
    let begun = expect(
        &app,
        &format!("/api/v1/tables/{table_id}/meetings"),
        Some(&admin),
        json!({
            "title": "Assemblea aperta", "space_id": hall,
            "starts_at": start.to_rfc3339(),
            "ends_at": (start + chrono::Duration::hours(1)).to_rfc3339()
        }),
        StatusCode::CREATED,
    )
    .await;
    let begun = begun["id"].as_str().unwrap().to_string();
    let record = format!("/admin/tables/{table_id}/meetings/{begun}/record");
    eventually("the record form", WAIT, || async {
        browser
            .goto(&app.url(&format!("/admin/tables/{table_id}")))
            .await;
        let found = browser.text(&format!("[data-meeting='{begun}']")).await;
        found.contains("Registra il verbale").then_some(())
    })
    .await;
    browser
        .type_into(
            &format!("#f-minutes-{begun}"),
            "Il cortile riapre il sabato.",
        )
        .await;
    browser
        .type_into(&format!("#f-attendance-{begun}"), "12")
        .await;
    browser.type_into(&format!("#f-youth-{begun}"), "5").await;
    browser
        .type_into(
            &format!("#f-decisions-{begun}"),
            "Aprire un bando per il cortile",
        )
        .await;
    submit(&browser, &record).await;
    browser.wait_for_text("#done", "Verbale registrato").await;

    // The public page: the next meeting and the published minutes, in both languages, and
    // nobody's address.
    browser.clear_cookies().await;
    browser.goto(&app.url("/tables")).await;
    let text = browser
        .wait_for_text("main", "Il cortile riapre il sabato.")
        .await;
    assert!(text.contains("Sopralluogo al cortile"), "{text}");
    assert!(text.contains("Aprire un bando per il cortile"), "{text}");
    assert!(text.contains("rappresentanti dei giovani: 5"), "{text}");
    assert!(
        !text.contains("luca@example.test") && !text.contains("Luca Bianchi"),
        "{text}"
    );
    browser.goto(&app.url("/tables?lang=en")).await;
    let english = browser.wait_for_text("h1", "Co-design tables").await;
    assert_eq!(english, "Co-design tables");

    // The planned meeting is called off from its form, with a reason: its slot is let go.
    browser.clear_cookies().await;
    browser
        .goto(&app.url(&format!("/admin/tables/{table_id}")))
        .await;
    sign_in(&browser, "admin@comune.test").await;
    browser
        .goto(&app.url(&format!("/admin/tables/{table_id}")))
        .await;
    browser
        .type_into(&format!("#f-reason-{planned}"), "Il cortile è inagibile")
        .await;
    submit(
        &browser,
        &format!("/admin/tables/{table_id}/meetings/{planned}/cancel"),
    )
    .await;
    browser.wait_for_url("done=cancelled").await;
    let cancelled = meeting_when(
        &app,
        None,
        &table_id,
        &planned,
        "the meeting cancelled",
        |m| m["status"] == "cancelled",
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    browser.quit().await;
    app.stop().await;
}
