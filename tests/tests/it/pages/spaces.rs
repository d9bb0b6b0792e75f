//! The administrator builds spaces from the pages, in headless Chromium: a building with a floor
//! and a room inside it, shown as a tree; weekly opening hours; equipment and accessibility
//! ticked by their labels; a day with its own hours and a closure, each listed and removed
//! again. What the pages did is read back through the API. An operator finds a space by an
//! Italian word, opens it from the map and reads its labels.

use super::{PASSWORD, day_ahead, people::log_in, sign_in, submit};
use piazza_e2e::{
    app::{Database, TestApp},
    browser::Browser,
};
use piazza_shared::auth::Role;
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
    // Equipment ticked by its Italian labels.
    browser.click("#f-equipment-projector").await;
    browser.click("#f-equipment-sound_system").await;
    browser.click("#f-accessibility-lift").await;
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
        json!(["projector", "sound_system"])
    );
    assert_eq!(building_view["accessibility"], json!(["lift"]));
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

async fn find_by_a_word_and_open_from_the_map(database: Database) {
    let app = TestApp::builder().database(database).spawn().await;
    let admin = app.admin().await;
    let hours: Vec<_> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "23:00" }))
        .collect();
    let add = |body: serde_json::Value| {
        let (app, admin) = (&app, &admin);
        async move {
            let (status, space) = app.post("/api/v1/spaces", Some(admin), &body).await;
            assert_eq!(status, reqwest::StatusCode::CREATED, "{space}");
            space["id"].as_str().expect("space id").to_string()
        }
    };
    let salone = add(json!({
        "name": "Salone delle Colonne", "building": "Palazzo Cittanova",
        "address": "Piazza Stradivari, Cremona", "kind": "hall", "capacity": 120,
        "equipment": ["projector", "sound_system"], "accessibility": ["step_free", "hearing_loop"],
        "opening_hours": hours, "latitude": 45.1335, "longitude": 10.0247
    }))
    .await;
    let room = add(json!({
        "name": "Sala studio", "building": "Palazzo Cittanova",
        "address": "Piazza Stradivari, Cremona", "kind": "room", "capacity": 30,
        "equipment": ["whiteboard"], "parent_id": salone
    }))
    .await;
    add(json!({
        "name": "Cortile Federico II", "building": "Palazzo Comunale",
        "address": "Piazza del Comune, Cremona", "kind": "courtyard", "capacity": 200,
        "equipment": ["stage"], "accessibility": ["step_free"],
        "latitude": 45.1334, "longitude": 10.0227
    }))
    .await;
    app.add_user(
        "ops@arci.test",
        Role::Operator,
        Some("ARCI Cremona"),
        PASSWORD,
    )
    .await;

    let browser = Browser::start().await;
    browser.goto(&app.url("/spaces/find")).await;
    sign_in(&browser, "ops@arci.test").await;
    // Before a search, the map shows every space (the room where its building stands).
    browser.wait_for_text("main h1", "Trova uno spazio").await;
    let markers = "return document.querySelectorAll('#map a').length";
    assert_eq!(browser.run(markers, json!([])).await, json!(3));
    browser
        .run("document.getElementById('map').scrollIntoView()", json!([]))
        .await;
    browser.screenshot("spaces-map").await;
    browser.type_into("#f-q", "proiettore").await;
    submit(&browser, "/spaces/find").await;
    let found = browser.wait_for_text("#results", "(1)").await;
    assert!(found.contains("Spazi trovati"), "{found}");
    let cards = browser.text(".cards").await;
    assert!(cards.contains("Salone delle Colonne"), "{cards}");
    assert!(!cards.contains("Cortile"), "{cards}");
    assert!(
        cards.contains("Proiettore") && cards.contains("Impianto audio"),
        "{cards}"
    );
    assert!(
        !cards.contains("sound_system"),
        "labels, not codes: {cards}"
    );
    assert_eq!(browser.run(markers, json!([])).await, json!(1));
    browser.screenshot("spaces-find-by-word").await;

    // The marker opens the space's page, in Italian.
    browser
        .click(&format!("#map a[href='/spaces/{salone}'] circle"))
        .await;
    browser.wait_for_url(&format!("/spaces/{salone}")).await;
    browser
        .wait_for_text("main h1", "Salone delle Colonne")
        .await;
    let equipment = browser.text("#equipment").await;
    assert!(equipment.contains("Proiettore"), "{equipment}");
    let accessibility = browser.text("#accessibility").await;
    assert!(
        accessibility.contains("Ingresso senza gradini")
            && accessibility.contains("Anello magnetico"),
        "{accessibility}"
    );
    let opening = browser.text("#hours").await;
    assert!(
        opening.contains("lunedì") && opening.contains("09:00–23:00"),
        "{opening}"
    );
    assert!(opening.contains("chiuso"), "Sunday is closed: {opening}");
    browser.screenshot("space-page").await;
    // The room has no coordinates of its own: it stands on the map where its building does.
    browser
        .goto(&app.url(&format!("/spaces/{room}?lang=en")))
        .await;
    browser.wait_for_text("#equipment", "Whiteboard").await;
    assert_eq!(browser.run(markers, json!([])).await, json!(1));
    browser.click("#book").await;
    browser.wait_for_url(&format!("space_id={room}")).await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test]
async fn an_operator_finds_a_space_by_an_italian_word_and_opens_it_from_the_map() {
    find_by_a_word_and_open_from_the_map(Database::Sqlite).await;
}
