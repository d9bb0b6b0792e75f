//! What stands in a booking's way through the space tree, on both databases: a closure of the
//! floor refuses a room, a room's booking refuses the floor, a room's setup buffer counts, and
//! availability of the floor and of the room shows both. On PostgreSQL a single booking is
//! first tried in one statement; these are the cases where that statement must give way to the
//! checked path, which names what is in the way.

use super::{book, expect, free, space};
use piazza_e2e::app::{Database, TestApp};
use reqwest::StatusCode;
use serde_json::json;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(s, e)| (s.to_string(), e.to_string()))
        .collect()
}

async fn closures_and_bookings_of_related_spaces_are_in_the_way(database: Database) {
    let app = TestApp::builder().database(database).spawn().await;
    let admin = app.admin().await;
    let floor = space(&app, &admin, json!({ "name": "Piano nobile" })).await;
    let room = space(
        &app,
        &admin,
        json!({ "name": "Sala A", "parent_id": floor, "setup_minutes": 30 }),
    )
    .await;
    expect(
        &app,
        &format!("/api/v1/spaces/{floor}/closures"),
        Some(&admin),
        json!({ "starts_at": "2027-05-10T10:00:00Z", "ends_at": "2027-05-10T12:00:00Z",
                "reason": "Restauro" }),
        StatusCode::CREATED,
    )
    .await;

    let (status, refused) = book(
        &app,
        &admin,
        &room,
        "2027-05-10T10:30:00Z",
        "2027-05-10T11:00:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["type"], "urn:piazza:problem:space_closed");
    assert_eq!(refused["conflicts"][0]["reason"], "closed: Restauro");
    assert_eq!(refused["conflicts"][0]["space_id"], floor.as_str());

    let (status, made) = book(
        &app,
        &admin,
        &room,
        "2027-05-10T14:00:00Z",
        "2027-05-10T15:00:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["occurrences"].as_array().unwrap().len(), 1);
    assert_eq!(made["skipped"], json!([]));
    let booked = made["id"].as_str().unwrap();

    // The floor holds its rooms, so the room's booking is in its way.
    let (status, refused) = book(
        &app,
        &admin,
        &floor,
        "2027-05-10T14:45:00Z",
        "2027-05-10T15:30:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["type"], "urn:piazza:problem:booking_overlap");
    assert_eq!(refused["conflicts"][0]["booking_id"], booked);
    assert_eq!(refused["conflicts"][0]["space_id"], room.as_str());
    assert_eq!(
        refused["conflicts"][0]["reason"],
        "overlaps a requested booking"
    );

    // The room's 30 minutes of setup reach back into its own booking.
    let (status, refused) = book(
        &app,
        &admin,
        &room,
        "2027-05-10T15:20:00Z",
        "2027-05-10T16:00:00Z",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["conflicts"][0]["booking_id"], booked);

    // Rome is two hours ahead of UTC in May; the room's hold is 13:30–15:00 with its setup.
    assert_eq!(
        free(&app, &floor, "2027-05-10", "2027-05-10").await,
        pairs(&[
            ("2027-05-09T22:00:00Z", "2027-05-10T10:00:00Z"),
            ("2027-05-10T12:00:00Z", "2027-05-10T13:30:00Z"),
            ("2027-05-10T15:00:00Z", "2027-05-10T22:00:00Z"),
        ])
    );
    // A new booking of the room needs its own setup before it, so its free time starts later
    // after the floor's closure and after its own booking.
    assert_eq!(
        free(&app, &room, "2027-05-10", "2027-05-10").await,
        pairs(&[
            ("2027-05-09T22:00:00Z", "2027-05-10T10:00:00Z"),
            ("2027-05-10T12:30:00Z", "2027-05-10T13:30:00Z"),
            ("2027-05-10T15:30:00Z", "2027-05-10T22:00:00Z"),
        ])
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_closures_and_bookings_of_related_spaces_are_in_the_way() {
    closures_and_bookings_of_related_spaces_are_in_the_way(Database::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_closures_and_bookings_of_related_spaces_are_in_the_way() {
    closures_and_bookings_of_related_spaces_are_in_the_way(Database::Sqlite).await;
}
