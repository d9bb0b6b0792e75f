//! The monitoring pages in headless Chromium: an administrator adds an indicator with the form
//! of `/admin/monitoring/indicators` (read back through the API); an evaluator, after a season
//! of activity came over the bus, opens `/admin/monitoring` from the navigation, reads the
//! values by quarter with a small count shown as `<5`, may not edit the framework, and the
//! exports the page links to hold no address or name.

use super::{PASSWORD, sign_in};
use crate::monitoring::indicators_seed::seed;
use piazza_e2e::{app::TestApp, browser::Browser, eventually};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_adds_an_indicator_and_an_evaluator_reads_the_values_without_personal_data()
 {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    app.add_user("valutatore@ente.test", Role::Evaluator, None, PASSWORD)
        .await;
    let evaluator = app
        .user("valutatrice@ente.test", Role::Evaluator, None)
        .await;
    let season = seed(&app).await;

    // The administrator adds an indicator with the form.
    let browser = Browser::start().await;
    browser.goto(&app.url("/admin/monitoring/indicators")).await;
    sign_in(&browser, "admin@comune.test").await;
    browser
        .wait_for_text("main h1", "Quadro degli indicatori")
        .await;
    browser.type_into("#f-code", "ore_fse").await;
    browser.set_value("#f-kind", "output").await;
    browser.type_into("#f-name_it", "Ore di spazi FSE+").await;
    browser.type_into("#f-name_en", "ESF+ space hours").await;
    browser.type_into("#f-unit", "ore").await;
    browser.set_value("#f-measure", "space_hours").await;
    browser.set_value("#f-funding_line", "fse_plus").await;
    browser.type_into("#f-target", "12,5").await;
    browser.click("#indicator-form button[type=submit]").await;
    browser.wait_for_text("#done", "Indicatore aggiunto").await;
    assert!(
        browser
            .text("#row-ore_fse")
            .await
            .contains("Ore di spazi FSE+")
    );
    let (status, list) = app.get("/api/v1/indicators", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let added = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "ore_fse")
        .expect("the indicator, through the API")
        .clone();
    assert_eq!(added["measure"], "space_hours");
    assert_eq!(added["funding_line"], "fse_plus");
    assert_eq!(added["target"], 12.5);
    assert_eq!(added["name_en"], "ESF+ space hours");

    // …edits it from its row: the form comes back filled, the new target is kept…
    browser.click("#row-ore_fse a").await;
    browser.wait_for_text("#form-title", "ore_fse").await;
    browser.set_value("#f-target", "20").await;
    browser.click("#indicator-form button[type=submit]").await;
    browser.wait_for_text("#done", "Indicatore salvato").await;
    let (_, edited) = app
        .get(
            &format!("/api/v1/indicators/{}", added["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(edited["target"], 20.0, "{edited}");
    assert_eq!(edited["funding_line"], "fse_plus", "{edited}");
    // …and removes one it does not need.
    browser
        .click("#row-ideas_received form button[type=submit]")
        .await;
    browser.wait_for_text("#done", "Indicatore rimosso").await;
    let (_, list) = app.get("/api/v1/indicators", Some(&admin)).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|i| i["code"] != "ideas_received"),
        "{list}"
    );

    // Wait for the monitoring to have the season.
    let query = format!("by=quarter&from={}&to={}", season.from, season.to);
    eventually("the season counted", Duration::from_secs(60), || async {
        let (_, report) = app
            .get(
                &format!("/api/v1/indicators/values?{query}"),
                Some(&evaluator),
            )
            .await;
        let done = report["values"].as_array().is_some_and(|values| {
            values.iter().any(|v| {
                v["code"] == "ideas_taken_up"
                    && v["period"] == season.q2.as_str()
                    && v["shown"] == "1"
            }) && values.iter().any(|v| {
                v["code"] == "young_people_reached"
                    && v["period"] == season.q1.as_str()
                    && v["shown"] == "6"
            })
        });
        done.then_some(())
    })
    .await;

    // The evaluator finds the page in the navigation and reads the values.
    browser.clear_cookies().await;
    browser.goto(&app.url("/login")).await;
    sign_in(&browser, "valutatore@ente.test").await;
    browser.click("nav a[href='/admin/monitoring']").await;
    browser
        .wait_for_text("main h1", "Monitoraggio e valutazione")
        .await;
    // The period is picked with the form, as a person would.
    browser.set_value("#f-by", "quarter").await;
    browser.set_value("#f-from", &season.from.to_string()).await;
    browser.set_value("#f-to", &season.to.to_string()).await;
    browser.click("#period-picker button[type=submit]").await;
    browser
        .wait_for_text(&format!("#period-{}", season.q2), &season.q2)
        .await;
    let hours = browser.text("#indicator-ore_fse").await;
    assert!(hours.contains("Ore di spazi FSE+"), "{hours}");
    assert!(hours.contains("20") && !hours.contains("12,5"), "{hours}");
    let participants = browser.text("#indicator-participants").await;
    assert!(participants.contains("<5"), "{participants}");
    assert!(participants.contains('6'), "{participants}");
    let shares = browser.text(&format!("#share-{}-fesr", season.q1)).await;
    assert!(shares.contains("75%") && shares.contains("84%"), "{shares}");
    assert!(!browser.text("main").await.contains("Modifica il quadro"));

    // What the page lets the evaluator download names no one.
    for link in ["#export-csv", "#export-xlsx", "#export-json"] {
        let fetched = browser
            .run(
                "const a = document.querySelector(arguments[0]);
                 return fetch(a.href).then(r => r.arrayBuffer().then(b => [r.status, Array.from(new Uint8Array(b))]));",
                json!([link]),
            )
            .await;
        assert_eq!(fetched[0], 200, "{link}");
        let bytes: Vec<u8> = fetched[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect();
        assert!(bytes.len() > 100, "{link}");
        if link != "#export-xlsx" {
            let text = String::from_utf8(bytes).unwrap();
            assert!(
                !text.contains('@') && !text.contains("Persona"),
                "{link}: {text}"
            );
            assert!(text.contains("<5"), "{link}");
        }
    }

    // The framework is the administrators' only.
    browser.goto(&app.url("/admin/monitoring/indicators")).await;
    assert!(
        !browser
            .text("main")
            .await
            .contains("Aggiungi un indicatore")
    );
    browser.quit().await;
    app.stop().await;
}
