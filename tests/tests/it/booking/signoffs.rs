//! The intersectoral working group: sectors as data, staff accounts' membership carried in
//! their tokens, sign-off rules an administrator writes, and the sign-off state machine — a
//! large booking of a square waits for two sectors and is approved (`booking.approved`, once)
//! only when both have signed off; one rejection rejects it; a non-member is refused; rules are
//! validated; two sectors approving at the same moment confirm it exactly once (PostgreSQL).
//! Closures for works come from Maintenance.

use super::{expect, fields, space};
use piazza_e2e::{
    app::TestApp,
    clock::{day_ahead, rome},
    eventually,
};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::time::Duration;

const MOBILITY: &str = "mobility_civil_protection";
const CULTURE: &str = "culture";
const PASSWORD: &str = "a-long-test-password";

/// The id of the account of `email`, read from booking's database.
async fn account_id(app: &TestApp, email: &str) -> uuid::Uuid {
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
    found.id
}

/// The people of a sign-off scenario.
struct Group {
    admin: String,
    operator: String,
    mobility: String,
    culture: String,
    square: String,
}

/// A staff account put in `sectors` by the administrator; its token, issued after the change.
async fn member(app: &TestApp, admin: &str, email: &str, sectors: &[&str]) -> String {
    let before = app.user(email, Role::Admin, None).await;
    let (_, listed) = app.get("/api/v1/sectors", Some(admin)).await;
    assert!(listed.as_array().unwrap().len() >= 8, "{listed}");
    let id = account_id(app, email).await;
    let (status, set) = app
        .api
        .call(
            reqwest::Method::PUT,
            &app.url(&format!("/api/v1/accounts/{id}/sectors")),
            Some(admin),
            Some(&json!({ "sectors": sectors })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["sectors"].as_array().unwrap().len(), sectors.len());
    // A change of sectors ends the older sessions, as a role change does.
    let (status, _) = app.get("/api/v1/sectors", Some(&before)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the older token is ended");
    app.api.login(&app.base, email, PASSWORD).await
}

/// An administrator, an operator, a Mobility member and a Culture member, a square, and the
/// rule: bookings of a square for at least 100 people wait for Mobility and Culture.
async fn group(app: &TestApp) -> Group {
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let mobility = member(app, &admin, "mobilita@comune.test", &[MOBILITY]).await;
    let culture = member(app, &admin, "cultura@comune.test", &[CULTURE]).await;
    let square = space(
        app,
        &admin,
        json!({ "name": "Piazza del Comune", "kind": "square", "capacity": 2000 }),
    )
    .await;
    let rule = expect(
        app,
        "/api/v1/signoff-rules",
        Some(&admin),
        json!({ "name": "Grandi eventi in piazza", "space_kind": "square",
                "min_attendees": 100, "sectors": [CULTURE, MOBILITY] }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(rule["sectors"], json!([CULTURE, MOBILITY]));
    Group {
        admin,
        operator,
        mobility,
        culture,
        square,
    }
}

/// Requests the square for `attendees` people `days` after [`day_ahead`]; the booking's id.
async fn request(app: &TestApp, g: &Group, title: &str, attendees: u32, days: i64) -> String {
    let day = day_ahead() + chrono::Duration::days(days);
    let created = expect(
        app,
        "/api/v1/bookings",
        Some(&g.operator),
        json!({ "space_id": g.square, "title": title, "attendees": attendees,
                "starts_at": rome(day, "18:00"), "ends_at": rome(day, "23:00") }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["status"], "requested");
    created["id"].as_str().unwrap().to_string()
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, booking) = app
        .get(&format!("/api/v1/bookings/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{booking}");
    booking["status"].clone()
}

async fn sign(
    app: &TestApp,
    token: &str,
    id: &str,
    sector: &str,
    decision: &str,
    body: Value,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/bookings/{id}/signoffs/{sector}/{decision}"),
        Some(token),
        &body,
    )
    .await
}

/// How many `booking.approved` messages the scheduler has handled (its inbox), on either runtime.
async fn approvals_heard(app: &TestApp) -> i64 {
    let db = app.db("scheduler").await;
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT COUNT(*) AS n FROM inbox WHERE event_type = 'piazza.booking.approved'",
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get("", "n").unwrap();
    db.close().await;
    n
}

async fn until_heard(app: &TestApp, count: i64) {
    eventually(
        &format!("{count} booking.approved heard"),
        Duration::from_secs(30),
        || async move { (approvals_heard(app).await == count).then_some(()) },
    )
    .await;
}

async fn waits_for_two_sectors(app: TestApp) {
    let g = group(&app).await;
    let big = request(&app, &g, "Concerto in piazza", 800, 0).await;

    let (status, signed) = app
        .get(
            &format!("/api/v1/bookings/{big}/signoffs"),
            Some(&g.operator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    let pending: Vec<_> = signed["signoffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["sector"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(pending, vec![(CULTURE, "pending"), (MOBILITY, "pending")]);
    // The members of each sector that must sign off hear of it; a staff outside them does not.
    for to in ["mobilita@comune.test", "cultura@comune.test"] {
        let told = app
            .mailbox
            .wait_for(to, |e| {
                e.to == to && e.subject.contains("Concerto in piazza")
            })
            .await;
        // …with the way to their sign-off queue, not the administrators' approvals.
        let link = told.link("/admin/").expect("a link to a queue");
        assert!(link.ends_with("/admin/signoffs"), "{link}");
        assert!(
            told.text.contains("parere del vostro settore"),
            "{}",
            told.text
        );
    }
    assert!(
        app.mailbox
            .to("admin@comune.test")
            .iter()
            .all(|e| !e.subject.contains("Concerto in piazza"))
    );

    // The single administrator's approval does not pass the sectors.
    let (status, refused) = app
        .post(
            &format!("/api/v1/bookings/{big}/approve"),
            Some(&g.admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["type"], "urn:piazza:problem:signoffs_pending");

    // Each sector sees it in its own queue; a non-member neither sees the queue nor signs.
    let (status, queue) = app
        .get(
            &format!("/api/v1/signoffs?sector={MOBILITY}"),
            Some(&g.mobility),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(queue[0]["booking"]["id"], big.as_str(), "{queue}");
    let (status, _) = app
        .get(
            &format!("/api/v1/signoffs?sector={MOBILITY}"),
            Some(&g.culture),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = sign(&app, &g.culture, &big, MOBILITY, "approve", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "Culture signs for Mobility");
    let (status, _) = sign(&app, &g.admin, &big, MOBILITY, "approve", json!({})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an administrator outside the sector"
    );

    let (status, first) = sign(&app, &g.mobility, &big, MOBILITY, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["booking"]["status"], "requested");
    // A small booking of the square matches no rule and keeps the single approval; its
    // `booking.approved` is heard alone: the half-signed one said nothing.
    let small = request(&app, &g, "Prove del coro", 20, 1).await;
    expect(
        &app,
        &format!("/api/v1/bookings/{small}/approve"),
        Some(&g.admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    until_heard(&app, 1).await;
    assert_eq!(status_of(&app, &g.operator, &big).await, "requested");

    let (status, second) = sign(&app, &g.culture, &big, CULTURE, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["booking"]["status"], "approved");
    assert_eq!(status_of(&app, &g.operator, &big).await, "approved");
    until_heard(&app, 2).await;
    let (status, again) = sign(&app, &g.culture, &big, CULTURE, "approve", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    app.stop().await;
}

#[tokio::test]
async fn a_large_booking_of_a_square_waits_for_two_sectors_embedded() {
    waits_for_two_sectors(TestApp::builder().spawn().await).await;
}

#[tokio::test]
async fn a_large_booking_of_a_square_waits_for_two_sectors_on_postgres_and_rabbitmq() {
    waits_for_two_sectors(TestApp::builder().postgres().rabbitmq().spawn().await).await;
}

async fn one_rejection_rejects(app: TestApp) {
    let g = group(&app).await;
    let big = request(&app, &g, "Fiera in piazza", 500, 0).await;
    let (status, missing) = sign(&app, &g.mobility, &big, MOBILITY, "reject", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{missing}");
    assert_eq!(fields(&missing), vec!["reason"]);
    sign(&app, &g.culture, &big, CULTURE, "approve", json!({})).await;
    let (status, rejected) = sign(
        &app,
        &g.mobility,
        &big,
        MOBILITY,
        "reject",
        json!({ "reason": "Strade chiuse per il mercato" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["booking"]["status"], "rejected");
    let (_, booking) = app
        .get(&format!("/api/v1/bookings/{big}"), Some(&g.operator))
        .await;
    assert!(
        booking["reason"]
            .as_str()
            .unwrap()
            .contains("Strade chiuse per il mercato"),
        "{booking}"
    );
    // The slot is free again.
    request(&app, &g, "Fiera in piazza, di nuovo", 50, 0).await;
    app.stop().await;
}

#[tokio::test]
async fn one_sector_rejecting_rejects_the_booking_embedded() {
    one_rejection_rejects(TestApp::builder().spawn().await).await;
}

#[tokio::test]
async fn one_sector_rejecting_rejects_the_booking_on_postgres_and_rabbitmq() {
    one_rejection_rejects(TestApp::builder().postgres().rabbitmq().spawn().await).await;
}

async fn rules_and_sectors_are_validated(app: TestApp) {
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let post = |body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move { app.post("/api/v1/signoff-rules", Some(&admin), &body).await }
    };
    let (status, problem) = post(json!({ "name": " ", "sectors": [] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["name", "space_kind", "sectors"]);
    let (status, problem) =
        post(json!({ "name": "x", "min_attendees": 0, "sectors": ["culture"] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["min_attendees"]);
    let (status, problem) =
        post(json!({ "name": "x", "space_kind": "square", "sectors": ["astrology"] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["sectors"]);
    let (status, problem) =
        post(json!({ "name": "x", "space_kind": "castle", "sectors": ["culture"] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["space_kind"]);
    let (status, problem) =
        post(json!({ "name": "x", "space_id": uuid::Uuid::now_v7(), "sectors": ["culture"] }))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["space_id"]);
    let (status, _) = app
        .post(
            "/api/v1/signoff-rules",
            Some(&operator),
            &json!({ "name": "x", "space_kind": "square", "sectors": ["culture"] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Sectors: staff only; an administrator adds one with a well-formed, new code.
    let (status, _) = app.get("/api/v1/sectors", Some(&operator)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = app
        .post(
            "/api/v1/sectors",
            Some(&admin),
            &json!({ "code": "Tourism", "name_it": "", "name_en": "Tourism" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["code", "name_it"]);
    expect(
        &app,
        "/api/v1/sectors",
        Some(&admin),
        json!({ "code": "tourism", "name_it": "Turismo", "name_en": "Tourism" }),
        StatusCode::CREATED,
    )
    .await;
    let (status, problem) = app
        .post(
            "/api/v1/sectors",
            Some(&admin),
            &json!({ "code": "tourism", "name_it": "Turismo", "name_en": "Tourism" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let ops = account_id(&app, "ops@arci.test").await;
    let me = account_id(&app, "admin@comune.test").await;
    let (status, problem) = app
        .api
        .call(
            reqwest::Method::PUT,
            &app.url(&format!("/api/v1/accounts/{ops}/sectors")),
            Some(&admin),
            Some(&json!({ "sectors": ["culture"] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), vec!["sectors"]);
    let (status, problem) = app
        .api
        .call(
            reqwest::Method::PUT,
            &app.url(&format!("/api/v1/accounts/{me}/sectors")),
            Some(&admin),
            Some(&json!({ "sectors": ["astrology"] })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // Closures for works come from Maintenance: its members only.
    let hall = space(&app, &admin, json!({})).await;
    let day = day_ahead();
    let works = json!({ "starts_at": rome(day, "08:00"), "ends_at": rome(day, "12:00"),
                        "reason": "Rifacimento del tetto", "works": true });
    let (status, _) = app
        .post(
            &format!("/api/v1/spaces/{hall}/closures"),
            Some(&admin),
            &works,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let maintenance = member(&app, &admin, "manutenzioni@comune.test", &["maintenance"]).await;
    let closed = expect(
        &app,
        &format!("/api/v1/spaces/{hall}/closures"),
        Some(&maintenance),
        works,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(closed["sector"], "maintenance");
    app.stop().await;
}

#[tokio::test]
async fn sign_off_rules_and_sectors_are_validated_embedded() {
    rules_and_sectors_are_validated(TestApp::builder().spawn().await).await;
}

#[tokio::test]
async fn sign_off_rules_and_sectors_are_validated_on_postgres_and_rabbitmq() {
    rules_and_sectors_are_validated(TestApp::builder().postgres().rabbitmq().spawn().await).await;
}

/// Two sectors approving the same booking at the same moment, many times over: every booking
/// ends approved, and `booking.approved` is written exactly once for each.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sectors_approving_at_once_confirm_exactly_once_on_postgres() {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    let g = group(&app).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(request(&app, &g, &format!("Festa {n}"), 300, n).await);
    }
    let decisions = ids.iter().map(|id| {
        let (app, g) = (&app, &g);
        async move {
            let (a, b) = tokio::join!(
                sign(app, &g.mobility, id, MOBILITY, "approve", json!({})),
                sign(app, &g.culture, id, CULTURE, "approve", json!({})),
            );
            assert_eq!(
                (a.0, b.0),
                (StatusCode::OK, StatusCode::OK),
                "{} {}",
                a.1,
                b.1
            );
            // Exactly one of the two saw the booking approved.
            let approved = [&a.1, &b.1]
                .iter()
                .filter(|v| v["booking"]["status"] == "approved")
                .count();
            assert_eq!(approved, 1, "{} {}", a.1, b.1);
        }
    });
    futures::future::join_all(decisions).await;
    for id in &ids {
        assert_eq!(status_of(&app, &g.operator, id).await, "approved");
    }
    until_heard(&app, ids.len() as i64).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(approvals_heard(&app).await, ids.len() as i64);
    app.stop().await;
}
