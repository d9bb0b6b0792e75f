//! The utilisation report against figures worked out by hand: opening hours minus closures in
//! the space's zone, approved bookings only (clipped to the range), per space and per building;
//! for administrators and evaluators, not operators.

use super::{expect, fields, space};
use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn approved(app: &TestApp, admin: &str, space: &str, start: &str, end: &str) {
    let made = expect(
        app,
        "/api/v1/bookings",
        Some(admin),
        json!({ "space_id": space, "title": "Uso", "attendees": 5, "starts_at": start, "ends_at": end }),
        StatusCode::CREATED,
    )
    .await;
    let id = made["id"].as_str().unwrap();
    expect(
        app,
        &format!("/api/v1/bookings/{id}/approve"),
        Some(admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
}

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| item[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {list}"))
}

#[tokio::test]
async fn utilisation_per_space_and_building_matches_hand_computed_figures() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let weekdays: Vec<Value> = ["mon", "tue", "wed", "thu", "fri"]
        .iter()
        .map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "18:00" }))
        .collect();
    let room = space(
        &app,
        &admin,
        json!({ "name": "Sala A", "opening_hours": weekdays }),
    )
    .await;
    let court = space(
        &app,
        &admin,
        json!({ "name": "Cortile", "kind": "courtyard" }),
    )
    .await;
    let church = space(
        &app,
        &admin,
        json!({ "name": "Ex chiesa", "building": "San Francesco", "status": "under_works" }),
    )
    .await;
    // Sala A: 5 days × 9 h = 45 h open, less a 2-hour closure = 43 h; 3 h + 2 h approved and an
    // hour only requested.
    expect(
        &app,
        &format!("/api/v1/spaces/{room}/closures"),
        Some(&admin),
        json!({ "starts_at": "2027-03-03T10:00:00+01:00", "ends_at": "2027-03-03T12:00:00+01:00", "reason": "Imbiancatura" }),
        StatusCode::CREATED,
    )
    .await;
    approved(
        &app,
        &admin,
        &room,
        "2027-03-02T10:00:00+01:00",
        "2027-03-02T13:00:00+01:00",
    )
    .await;
    approved(
        &app,
        &admin,
        &room,
        "2027-03-04T14:00:00+01:00",
        "2027-03-04T16:00:00+01:00",
    )
    .await;
    expect(
        &app,
        "/api/v1/bookings",
        Some(&admin),
        json!({ "space_id": room, "title": "Solo richiesta", "attendees": 5,
                "starts_at": "2027-03-05T09:00:00+01:00", "ends_at": "2027-03-05T10:00:00+01:00" }),
        StatusCode::CREATED,
    )
    .await;
    // Cortile: open 7 × 24 = 168 h; 12 h on Saturday and the 2 h of a night booking that fall
    // before the range ends at Monday 00:00.
    approved(
        &app,
        &admin,
        &court,
        "2027-03-06T08:00:00+01:00",
        "2027-03-06T20:00:00+01:00",
    )
    .await;
    approved(
        &app,
        &admin,
        &court,
        "2027-03-07T22:00:00+01:00",
        "2027-03-08T02:00:00+01:00",
    )
    .await;

    let evaluator = app
        .user("valutatore@ente.test", Role::Evaluator, None)
        .await;
    let (status, report) = app
        .get(
            "/api/v1/reports/utilization?from=2027-03-01&to=2027-03-07",
            Some(&evaluator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let spaces = &report["spaces"];
    let a = find(spaces, "space_id", &room);
    assert_eq!(
        (a["open_hours"].as_f64(), a["booked_hours"].as_f64()),
        (Some(43.0), Some(5.0))
    );
    assert_eq!(a["ratio"], 0.1163);
    let c = find(spaces, "space_id", &court);
    assert_eq!(
        (c["open_hours"].as_f64(), c["booked_hours"].as_f64()),
        (Some(168.0), Some(14.0))
    );
    assert_eq!(c["ratio"], 0.0833);
    let closed = find(spaces, "space_id", &church);
    assert_eq!(closed["open_hours"], 0.0);
    assert!(closed["ratio"].is_null());
    let buildings = &report["buildings"];
    let affaitati = find(buildings, "building", "Palazzo Affaitati");
    assert_eq!(affaitati["spaces"], 2);
    assert_eq!(affaitati["open_hours"], 211.0);
    assert_eq!(affaitati["booked_hours"], 19.0);
    assert_eq!(affaitati["ratio"], 0.09);
    let francesco = find(buildings, "building", "San Francesco");
    assert_eq!(francesco["open_hours"], 0.0);
    assert!(francesco["ratio"].is_null());

    let operator = app
        .user("ops@arci.test", Role::Operator, Some("Arci"))
        .await;
    let path = "/api/v1/reports/utilization?from=2027-03-01&to=2027-03-07";
    assert_eq!(
        app.get(path, Some(&operator)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(path, None).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = app
        .get(
            "/api/v1/reports/utilization?from=2027-03-08&to=2027-03-01",
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&body), vec!["to"]);
    app.stop().await;
}
