//! Equipment and accessibility as fixed vocabularies: spaces take and return the codes, an
//! unknown code is a 422 naming its place in the list, the catalogue is searched by words in
//! either language, the OpenAPI lists the codes, and the migration turns free text written
//! before into the codes it names.

use super::{fields, space};
use piazza_e2e::app::{Database, TestApp};
use piazza_migrations::BookingMigrator;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

fn names(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn codes_round_trip_and_words_find_them(database: Database) {
    let app = TestApp::builder().database(database).spawn().await;
    let admin = app.admin().await;
    let hall = space(
        &app,
        &admin,
        json!({ "name": "Sala dei Quadri", "equipment": ["stage", "projector", "projector"],
                "accessibility": ["lift", "step_free"] }),
    )
    .await;
    space(
        &app,
        &admin,
        json!({ "name": "Cortile Federico II", "building": "Palazzo Comunale",
                "equipment": ["sound_system"], "accessibility": ["step_free"] }),
    )
    .await;
    // Each code once, in the vocabulary's order.
    let (_, view) = app.get(&format!("/api/v1/spaces/{hall}"), None).await;
    assert_eq!(view["equipment"], json!(["projector", "stage"]));
    assert_eq!(view["accessibility"], json!(["step_free", "lift"]));

    // An unknown code is named by its place, on create and on change; nothing is written.
    let (status, problem) = app
        .post(
            "/api/v1/spaces",
            Some(&admin),
            &json!({ "name": "Sala", "building": "B", "address": "A", "kind": "room",
                     "capacity": 10, "equipment": ["projector", "proiettore"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["equipment[1]"]);
    let (status, problem) = app
        .patch(
            &format!("/api/v1/spaces/{hall}"),
            Some(&admin),
            &json!({ "accessibility": ["lift", "step_free", "rampa"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["accessibility[2]"]);
    let (status, changed) = app
        .patch(
            &format!("/api/v1/spaces/{hall}"),
            Some(&admin),
            &json!({ "equipment": ["piano", "projector"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["equipment"], json!(["projector", "piano"]));
    assert_eq!(changed["accessibility"], json!(["step_free", "lift"]));

    // Words in either language, any case, with or without accents.
    for (query, found) in [
        ("proiettore", vec!["Sala dei Quadri"]),
        ("PROIETTORE", vec!["Sala dei Quadri"]),
        ("beamer", vec!["Sala dei Quadri"]),
        ("pianoforte", vec!["Sala dei Quadri"]),
        ("ascensóre", vec!["Sala dei Quadri"]),
        ("impianto%20audio", vec!["Cortile Federico II"]),
        (
            "senza%20gradini",
            vec!["Cortile Federico II", "Sala dei Quadri"],
        ),
        ("comunale", vec!["Cortile Federico II"]),
        ("proiettore%20cortile", vec![]),
    ] {
        let (status, listing) = app.get(&format!("/api/v1/spaces?q={query}"), None).await;
        assert_eq!(status, StatusCode::OK, "{listing}");
        assert_eq!(names(&listing), found, "q={query}");
    }
    let (_, listing) = app.get("/api/v1/spaces?equipment=projector", None).await;
    assert_eq!(names(&listing), vec!["Sala dei Quadri"]);
    let (status, problem) = app.get("/api/v1/spaces?equipment=laser", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["equipment"]);

    // The OpenAPI document lists the codes.
    let (_, openapi) = app.get("/api/openapi.json", None).await;
    let schemas = &openapi["components"]["schemas"];
    let equipment = schemas["Equipment"]["enum"]
        .as_array()
        .expect("Equipment enum");
    assert!(equipment.contains(&json!("projector")), "{equipment:?}");
    let accessibility = schemas["Accessibility"]["enum"].as_array().expect("enum");
    assert!(
        accessibility.contains(&json!("step_free")),
        "{accessibility:?}"
    );

    // Free text stored before the vocabularies becomes the codes it names; the rest is dropped.
    let db = app.db("booking").await;
    let conn = db.conn();
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    conn.execute_unprepared(&format!(
        "UPDATE spaces SET equipment = {}, accessibility = {} WHERE name = 'Sala dei Quadri'",
        quoted(r#"["Videoproiettore", "macchina del caffè", "Palco"]"#),
        quoted(r#"["Ascensore", "chiedete pure"]"#),
    ))
    .await
    .expect("old free text written");
    conn.execute_unprepared(
        "DELETE FROM seaql_migrations WHERE version = 'm20261207_000001_space_vocabularies'",
    )
    .await
    .expect("the migration forgotten");
    piazza_migrations::migrate::<BookingMigrator>(&db)
        .await
        .expect("the migration applied again");
    let (_, view) = app.get(&format!("/api/v1/spaces/{hall}"), None).await;
    assert_eq!(view["equipment"], json!(["projector", "stage"]));
    assert_eq!(view["accessibility"], json!(["lift"]));
    app.stop().await;
}

#[tokio::test]
async fn space_codes_round_trip_unknown_ones_are_named_and_words_find_them() {
    codes_round_trip_and_words_find_them(Database::Sqlite).await;
}

#[tokio::test]
async fn space_codes_and_words_work_the_same_on_postgres() {
    codes_round_trip_and_words_find_them(Database::Postgres).await;
}
