//! Bad input to the tables' endpoints: 422 problem+json naming the field, 401 without a token,
//! 403 for an operator, 404 for an unknown table.

use super::{fields, space, table};
use piazza_e2e::{
    app::{Database, TestApp},
    clock::{self, day_ahead, rome},
};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn refused(app: &TestApp, path: &str, token: &str, body: Value) -> Vec<String> {
    let (status, problem) = app.post(path, Some(token), &body).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "POST {path} {body}: {problem}"
    );
    assert!(problem["type"].as_str().is_some(), "{problem}");
    fields(&problem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tables_members_and_meetings_are_refused_naming_the_field() {
    let app = TestApp::builder().database(Database::Sqlite).spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;

    // Tables.
    assert_eq!(
        refused(
            &app,
            "/api/v1/tables",
            &admin,
            json!({ "name": " ", "theme": "t" })
        )
        .await,
        ["name"]
    );
    assert_eq!(
        refused(
            &app,
            "/api/v1/tables",
            &admin,
            json!({ "name": "n", "theme": "" })
        )
        .await,
        ["theme"]
    );
    assert_eq!(
        refused(
            &app,
            "/api/v1/tables",
            &admin,
            json!({ "name": "n", "theme": "t", "kind": "club" })
        )
        .await,
        ["kind"]
    );
    assert_eq!(
        refused(
            &app,
            "/api/v1/tables",
            &admin,
            json!({ "name": "n", "theme": "t", "funding_line": "erdf" })
        )
        .await,
        ["funding_line"]
    );
    let (status, _) = app
        .post(
            "/api/v1/tables",
            None,
            &json!({ "name": "n", "theme": "t" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .post(
            "/api/v1/tables",
            Some(&operator),
            &json!({ "name": "n", "theme": "t" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get(&format!("/api/v1/tables/{}", uuid::Uuid::now_v7()), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let made = table(&app, &admin, json!({ "name": "Tavolo", "theme": "Tema" })).await;
    let id = made["id"].as_str().unwrap();

    // Members.
    let members = format!("/api/v1/tables/{id}/members");
    assert_eq!(
        refused(
            &app,
            &members,
            &admin,
            json!({ "kind": "sector", "sector": "Culture!" })
        )
        .await,
        ["sector"]
    );
    assert_eq!(
        refused(
            &app,
            &members,
            &admin,
            json!({ "kind": "person", "name": "Ada", "email": "not-an-address" })
        )
        .await,
        ["email"]
    );
    assert_eq!(
        refused(&app, &members, &admin, json!({ "kind": "organisation" })).await,
        ["name"]
    );
    assert_eq!(
        refused(
            &app,
            &members,
            &admin,
            json!({ "kind": "person", "name": "Ada", "role": "Youth Rep" })
        )
        .await,
        ["role"]
    );

    // Meetings.
    let hall = space(&app, &admin, "Sala Verde").await;
    let meetings = format!("/api/v1/tables/{id}/meetings");
    let day = day_ahead();
    let meeting = |starts: String, ends: String| json!({ "title": "Incontro", "space_id": hall, "starts_at": starts, "ends_at": ends });
    assert_eq!(
        refused(
            &app,
            &meetings,
            &admin,
            meeting(rome(day, "18:00"), rome(day, "17:00"))
        )
        .await,
        ["ends_at"]
    );
    let past = clock::now() - chrono::Duration::days(1);
    assert_eq!(
        refused(
            &app,
            &meetings,
            &admin,
            meeting(
                past.to_rfc3339(),
                (past + chrono::Duration::hours(1)).to_rfc3339()
            )
        )
        .await,
        ["starts_at"]
    );
    assert_eq!(
        refused(
            &app,
            &meetings,
            &admin,
            meeting("tomorrow".into(), rome(day, "17:00"))
        )
        .await,
        ["starts_at"]
    );
    let mut zoned = meeting(rome(day, "17:00"), rome(day, "18:00"));
    zoned["time_zone"] = json!("Mars/Olympus");
    assert_eq!(refused(&app, &meetings, &admin, zoned).await, ["time_zone"]);
    let mut untitled = meeting(rome(day, "17:00"), rome(day, "18:00"));
    untitled["title"] = json!("");
    assert_eq!(refused(&app, &meetings, &admin, untitled).await, ["title"]);
    let (status, _) = app
        .post(
            &meetings,
            Some(&operator),
            &meeting(rome(day, "17:00"), rome(day, "18:00")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Recording.
    let (status, created) = app
        .post(
            &meetings,
            Some(&admin),
            &meeting(rome(day, "17:00"), rome(day, "18:00")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let meeting_id = created["id"].as_str().unwrap();
    // Its event holds the space but is never published.
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{meeting_id}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(
        problem["type"],
        "urn:piazza:problem:meeting_not_publishable"
    );
    // Nor moved or called off through the events API: its table does that, and audits it.
    let (status, problem) = app
        .patch(
            &format!("/api/v1/events/{meeting_id}"),
            Some(&admin),
            &json!({ "title": "Renamed behind the table's back" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(
        problem["type"],
        "urn:piazza:problem:meeting_managed_by_table"
    );
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{meeting_id}/cancel"),
            Some(&admin),
            &json!({ "reason": "Not through here" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(
        problem["type"],
        "urn:piazza:problem:meeting_managed_by_table"
    );
    let record = format!("{meetings}/{meeting_id}/record");
    assert_eq!(
        refused(
            &app,
            &record,
            &admin,
            json!({ "minutes": "m", "attendance": 3, "youth_representatives": 4 })
        )
        .await,
        ["youth_representatives"]
    );
    assert_eq!(
        refused(
            &app,
            &record,
            &admin,
            json!({ "minutes": "", "attendance": -1 })
        )
        .await,
        ["minutes", "attendance"]
    );
    assert_eq!(
        refused(
            &app,
            &record,
            &admin,
            json!({ "minutes": "m", "attendance": 3, "decisions": [{ "text": " " }] })
        )
        .await,
        ["decisions[0].text"]
    );
    app.stop().await;
}
