//! 200 simultaneous requests for overlapping slots of a floor and its two rooms. They fall in 40
//! groups: within a group every pair clashes (the same slot twice, slots inside or across each
//! other, a room and the floor around it), across groups none does (a group ends exactly where
//! the next begins). Whatever the interleaving, exactly one request per group must win, the
//! winners must not clash, every loser must clash with a winner, and no two stored holds of a
//! space may overlap, on PostgreSQL and on SQLite.

use super::space;
use chrono::{DateTime, Duration, TimeZone, Utc};
use piazza_booking::db::holds;
use piazza_e2e::app::{Database, TestApp};
use piazza_shared::time::Span;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    Floor,
    RoomA,
    RoomB,
}

#[derive(Debug, Clone, Copy)]
struct Ask {
    place: Place,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Whether two requests can not both be held: their times overlap (half-open, so touching is
/// fine) and one's space is, contains or is inside the other's.
fn clash(a: &Ask, b: &Ask) -> bool {
    let nested = a.place == b.place || a.place == Place::Floor || b.place == Place::Floor;
    nested && a.start < b.end && b.start < a.end
}

const GROUPS: usize = 40;

fn asks() -> Vec<Ask> {
    use Place::*;
    let first = Utc.with_ymd_and_hms(2027, 4, 6, 6, 0, 0).unwrap();
    // Minutes from the group's start; every pair shares [20, 40).
    let shapes = [(0, 60), (0, 60), (15, 45), (20, 60), (0, 40)];
    let places = [
        [RoomA, RoomA, RoomA, RoomA, RoomA],
        [Floor, RoomA, Floor, RoomA, RoomA],
        [RoomB, Floor, RoomB, Floor, RoomB],
        [Floor, Floor, Floor, Floor, Floor],
    ];
    let mut asks = Vec::new();
    for group in 0..GROUPS {
        let start = first + Duration::hours(group as i64);
        for (i, (from, to)) in shapes.iter().enumerate() {
            asks.push(Ask {
                place: places[group % places.len()][i],
                start: start + Duration::minutes(*from),
                end: start + Duration::minutes(*to),
            });
        }
    }
    asks
}

async fn simultaneous_requests_hold_exactly_the_non_overlapping_set(database: Database) {
    let app = TestApp::builder()
        .database(database)
        .settings(|s| s.database_max_connections = 10)
        .spawn()
        .await;
    let admin = app.admin().await;
    let floor = space(
        &app,
        &admin,
        json!({ "name": "Piano nobile", "capacity": 300 }),
    )
    .await;
    let room_a = space(
        &app,
        &admin,
        json!({ "name": "Sala A", "parent_id": floor }),
    )
    .await;
    let room_b = space(
        &app,
        &admin,
        json!({ "name": "Sala B", "parent_id": floor }),
    )
    .await;
    let id_of = |place: Place| match place {
        Place::Floor => floor.clone(),
        Place::RoomA => room_a.clone(),
        Place::RoomB => room_b.clone(),
    };
    let asks = asks();
    assert_eq!(asks.len(), 200);

    let answers = futures::future::join_all(asks.iter().enumerate().map(|(i, ask)| {
        let (app, admin, space) = (&app, &admin, id_of(ask.place));
        async move {
            app.post(
                "/api/v1/bookings",
                Some(admin),
                &json!({
                    "space_id": space, "title": format!("Richiesta {i}"), "attendees": 5,
                    "starts_at": ask.start.to_rfc3339(), "ends_at": ask.end.to_rfc3339()
                }),
            )
            .await
        }
    }))
    .await;

    let mut won = Vec::new();
    let mut lost = Vec::new();
    for (ask, (status, body)) in asks.iter().zip(&answers) {
        match *status {
            StatusCode::CREATED => won.push(*ask),
            StatusCode::CONFLICT => lost.push(*ask),
            other => panic!("{database:?}: unexpected {other} for {ask:?}: {body}"),
        }
    }
    assert_eq!(
        won.len(),
        GROUPS,
        "{database:?}: one request per group must be held"
    );
    for (i, a) in won.iter().enumerate() {
        for b in &won[i + 1..] {
            assert!(!clash(a, b), "{database:?}: both held: {a:?} and {b:?}");
        }
    }
    for loser in &lost {
        assert!(
            won.iter().any(|w| clash(w, loser)),
            "{database:?}: refused although nothing held clashes: {loser:?}"
        );
    }

    // What is stored: as many live bookings as winners, and holds that never overlap per space.
    let (status, listed) = app.get("/api/v1/bookings?limit=500", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["items"].as_array().unwrap().len(), GROUPS);
    let db = app.db("booking").await;
    let stored = holds::Entity::find().all(db.conn()).await.unwrap();
    // A floor booking holds the floor and both rooms.
    let expected_holds: usize = won
        .iter()
        .map(|w| if w.place == Place::Floor { 3 } else { 1 })
        .sum();
    assert_eq!(stored.len(), expected_holds, "{database:?}");
    let mut by_space: HashMap<uuid::Uuid, Vec<Span>> = HashMap::new();
    for hold in stored {
        by_space
            .entry(hold.space_id)
            .or_default()
            .push((hold.starts_at, hold.ends_at));
    }
    for spans in by_space.values_mut() {
        spans.sort();
        for pair in spans.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "{database:?}: stored holds overlap: {pair:?}"
            );
        }
    }
    db.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_simultaneous_requests_on_postgres_hold_only_the_non_overlapping_set() {
    simultaneous_requests_hold_exactly_the_non_overlapping_set(Database::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_simultaneous_requests_on_sqlite_hold_only_the_non_overlapping_set() {
    simultaneous_requests_hold_exactly_the_non_overlapping_set(Database::Sqlite).await;
}
