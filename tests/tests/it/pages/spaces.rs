//! The administrator builds spaces from the pages, in headless Chromium: a building with a floor
//! and a room inside it, shown as a tree; weekly opening hours; a day with its own hours and a
//! closure, each listed and removed again. What the pages did is read back through the API.

use super::{PASSWORD, day_ahead, people::log_in};
use piazza_e2e::{
    app::{Database, TestApp},
    browser::Browser,
};
use serde_json::json;

async fn build_a_tree_with_hours_and_a_closure(database: Database) {
    let app = TestApp::builder().database(database).spawn().await;
    let admin = app.admin().await;
    let browser = Browser::start().await;
    log_in(&browser, &app, "admin@comune.test", PASSWORD).await;
    browser.wait_for_text("main h1", "Richieste").await;
    browser.click("nav a[href='/admin/spaces']").await;
    browser
        .wait_for_text("main", "comincia da un edificio")
        .await;

    // The building, at the top.
    browser.type_into("#f-name", "Palazzo Affaitati").await;
    browser.set_value("#f-kind", "other").await;
    browser.type_into("#f-capacity", "300").await;
    browser.type_into("#f-building", "Palazzo Affaitati").await;
    browser
        .type_into("#f-address", "Via Ugolani Dati 4, Cremona")
        .await;
    browser.click("form[action='/admin/spaces'] button").await;
    browser.wait_for_text("#done", "Spazio aggiunto").await;
    // Its weekly hours: Tuesday to Saturday; a day with only an opening is refused by its row.
    for day in ["tue", "wed", "thu", "fri", "sat"] {
        browser.set_value(&format!("#f-opens_{day}"), "09:00").await;
        browser
            .set_value(&format!("#f-closes_{day}"), "22:00")
            .await;
    }
    browser.set_value("#f-opens_sun", "10:00").await;
    browser.click("#space-form button[type=submit]").await;
    browser
        .wait_for_text("#e-hours-sun", "apertura e chiusura")
        .await;
    browser.set_value("#f-opens_sun", "").await;
    browser
        .type_into("#f-equipment", "proiettore, impianto audio")
        .await;
    browser.type_into("#f-setup_minutes", "30").await;
    browser.type_into("#f-latitude", "45,1335").await;
    browser.type_into("#f-longitude", "10.0227").await;
    browser.click("#space-form button[type=submit]").await;
    browser.wait_for_text("#done", "Modifiche salvate").await;
    let building_url = browser.url().await;
    let building = building_url
        .split("/admin/spaces/")
        .nth(1)
        .and_then(|rest| rest.split(['?', '#']).next())
        .expect("the building's id")
        .to_string();

    // A floor inside it, then a room on the floor: building and address come from above.
    browser.click("a[href$='#add']").await;
    browser.type_into("#f-name", "Primo piano").await;
    browser.type_into("#f-capacity", "150").await;
    browser.click("form[action='/admin/spaces'] button").await;
    browser.wait_for_text("#done", "Spazio aggiunto").await;
    browser.click("a[href$='#add']").await;
    browser.type_into("#f-name", "Sala studio").await;
    browser.set_value("#f-kind", "room").await;
    browser.type_into("#f-capacity", "30").await;
    browser.click("form[action='/admin/spaces'] button").await;
    browser.wait_for_text("#done", "Spazio aggiunto").await;
    browser.click("a[href='/admin/spaces']").await;
    let tree = browser.wait_for_text("#tree", "Sala studio").await;
    // The tree nests: the room is inside the floor, inside the building.
    let depth = browser
        .run(
            "return [...document.querySelectorAll('#tree a')].find(a => a.innerText === 'Sala studio').closest('ul').parentElement.closest('ul').parentElement.querySelector('a').innerText",
            json!([]),
        )
        .await;
    assert_eq!(depth, json!("Palazzo Affaitati"), "{tree}");
    assert!(tree.contains("stanza"), "kinds in words: {tree}");
    browser.screenshot("admin-spaces-tree").await;

    // The room took the building's hours, building and address.
    let (_, spaces) = app.get("/api/v1/spaces?limit=50", None).await;
    let room = spaces["items"]
        .as_array()
        .and_then(|l| l.iter().find(|s| s["name"] == "Sala studio"))
        .expect("the room")
        .clone();
    assert_eq!(room["building"], "Palazzo Affaitati");
    assert_eq!(room["opening_hours"].as_array().map(Vec::len), Some(5));
    let (_, building_view) = app.get(&format!("/api/v1/spaces/{building}"), None).await;
    assert_eq!(building_view["opening_hours"][0]["opens"], "09:00");
    assert_eq!(
        building_view["equipment"],
        json!(["proiettore", "impianto audio"])
    );
    assert_eq!(building_view["setup_minutes"], 30);
    assert_eq!(building_view["latitude"], 45.1335);

    // A day with its own hours, and a closure; each listed, then removed.
    browser.goto(&building_url).await;
    let day = day_ahead();
    browser.set_value("#f-ex_date", &day.to_string()).await;
    browser.click("input[name=all_day]").await;
    browser.type_into("#f-ex_reason", "Festa del Torrone").await;
    browser
        .click(&format!(
            "form[action='/admin/spaces/{building}/exceptions'] button"
        ))
        .await;
    browser
        .wait_for_text("#exception-list", "chiuso tutto il giorno")
        .await;
    let closure_from = day + chrono::Duration::days(7);
    browser
        .set_value("#f-cl_from", &closure_from.to_string())
        .await;
    browser
        .set_value(
            "#f-cl_to",
            &(closure_from + chrono::Duration::days(2)).to_string(),
        )
        .await;
    browser
        .type_into("#f-cl_reason", "Lavori all'impianto")
        .await;
    browser
        .click(&format!(
            "form[action='/admin/spaces/{building}/closures'] button"
        ))
        .await;
    let closures = browser
        .wait_for_text("#closure-list", "Lavori all'impianto")
        .await;
    assert!(closures.contains("00:00"), "{closures}");
    browser.screenshot("admin-space").await;
    // While closed, the room inside cannot be booked.
    let room_id = room["id"].as_str().expect("room id");
    let (status, refused) = app
        .post(
            "/api/v1/bookings",
            Some(&admin),
            &json!({ "space_id": room_id, "title": "Studio", "attendees": 5,
                     "starts_at": super::rome(closure_from + chrono::Duration::days(1), "10:00"),
                     "ends_at": super::rome(closure_from + chrono::Duration::days(1), "12:00") }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{refused}");
    browser.click("#closure-list form button").await;
    browser
        .wait_for_text("#no-closures", "Nessuna chiusura")
        .await;
    // A closure every week, for three weeks: three stretches, each removable on its own.
    let later = closure_from + chrono::Duration::days(14);
    browser.set_value("#f-cl_from", &later.to_string()).await;
    browser.set_value("#f-cl_from_time", "08:00").await;
    browser.set_value("#f-cl_to", &later.to_string()).await;
    browser.set_value("#f-cl_to_time", "12:00").await;
    browser.click("input[name=cl_weekly]").await;
    browser.type_into("#f-cl_weeks", "3").await;
    browser.type_into("#f-cl_reason", "Pulizie").await;
    browser
        .click(&format!(
            "form[action='/admin/spaces/{building}/closures'] button"
        ))
        .await;
    browser.wait_for_text("#closure-list", "Pulizie").await;
    let count = "return document.querySelectorAll('#closure-list li').length";
    assert_eq!(browser.run(count, json!([])).await, json!(3));
    browser.click("#closure-list form button").await;
    browser.wait_for_text("#done", "Tolto").await;
    assert_eq!(browser.run(count, json!([])).await, json!(2));
    browser.click("#exception-list form button").await;
    browser
        .wait_for_text("#exceptions + p", "valgono gli orari")
        .await;
    let (_, exceptions) = app
        .get(&format!("/api/v1/spaces/{building}/exceptions"), None)
        .await;
    assert_eq!(exceptions["items"], json!([]));
    // Reopened: the same booking now goes through.
    let (status, booked) = app
        .post(
            "/api/v1/bookings",
            Some(&admin),
            &json!({ "space_id": room_id, "title": "Studio", "attendees": 5,
                     "starts_at": super::rome(closure_from + chrono::Duration::days(1), "10:00"),
                     "ends_at": super::rome(closure_from + chrono::Duration::days(1), "12:00") }),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{booked}");
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_builds_a_space_tree_with_hours_and_removes_a_closure() {
    build_a_tree_with_hours_and_a_closure(Database::Sqlite).await;
}

#[tokio::test]
async fn the_space_pages_work_the_same_on_postgres() {
    build_a_tree_with_hours_and_a_closure(Database::Postgres).await;
}
