//! Calls for ideas: operators propose while a call is open (a closed or not yet open call answers
//! 422), administrators accept — a draft weekly event at the preferred slot, which gets its space
//! from booking — or decline with a reason; every step is a message.

use super::{BOOKING_AND_SCHEDULER, Tap, event_when, expect, fields, season, space};
use piazza_e2e::app::TestApp;
use piazza_shared::{
    auth::Role,
    contracts::call::{CallOpened, ProposalAccepted, ProposalDeclined, ProposalSubmitted},
};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn rome(instant: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(instant)
        .unwrap()
        .with_timezone(&chrono_tz::Europe::Rome)
        .format("%a %d %b %H:%M")
        .to_string()
}

fn idea(title: &str, space: &str) -> Value {
    json!({
        "title": title, "description": "Laboratorio di rap per ragazzi", "categories": ["music", "workshop"],
        "age_min": 14, "age_max": 19, "capacity": 20, "sessions": 4, "space_id": space,
        "preferred_slot": { "weekday": "thu", "starts": "17:00", "ends": "19:00" }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_proposal_becomes_a_draft_weekly_event_with_its_space_and_each_step_is_told() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    let tap = Tap::start(&app).await;
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let other = app
        .user("ops@coop.test", Role::Operator, Some("Cooperativa Iride"))
        .await;
    let season = season(&app, &admin).await;
    let lab = space(&app, &admin, "Laboratorio Musicale").await;
    let today = piazza_e2e::clock::now().date_naive();
    let call = expect(
        &app,
        "/api/v1/calls",
        Some(&admin),
        json!({
            "season_id": season, "title": "Idee per la primavera", "description": "Proposte di laboratori",
            "opens_at": today.to_string(), "closes_at": (today + chrono::Duration::days(30)).to_string()
        }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(call["open"], true);
    let call_id = call["id"].as_str().unwrap().to_string();
    tap.wait::<CallOpened>("call.opened", |m| m.call.call_id.to_string() == call_id)
        .await;

    let rap = expect(
        &app,
        &format!("/api/v1/calls/{call_id}/proposals"),
        Some(&arci),
        idea("Rap lab", &lab),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(rap["status"], "submitted");
    assert_eq!(rap["organisation"], "ARCI Cremona");
    let told = tap
        .wait::<ProposalSubmitted>("proposal.submitted", |m| m.proposal.title == "Rap lab")
        .await;
    assert_eq!(told.proposal.contact_email, "ops@arci.test");
    let beat = expect(
        &app,
        &format!("/api/v1/calls/{call_id}/proposals"),
        Some(&arci),
        idea("Beatbox", &lab),
        StatusCode::CREATED,
    )
    .await;
    // Each operator sees its own proposals; administrators see all.
    let (_, mine) = app
        .get(&format!("/api/v1/calls/{call_id}/proposals"), Some(&other))
        .await;
    assert_eq!(mine, json!([]));
    let (_, all) = app
        .get(&format!("/api/v1/calls/{call_id}/proposals"), Some(&admin))
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Accepted: a draft on four Thursdays from 1 April at the preferred slot.
    let rap_id = rap["id"].as_str().unwrap();
    let (status, problem) = app
        .post(
            &format!("/api/v1/proposals/{rap_id}/accept"),
            Some(&admin),
            &json!({ "starts_on": "2027-04-02" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["starts_on"]);
    let accepted = expect(
        &app,
        &format!("/api/v1/proposals/{rap_id}/accept"),
        Some(&admin),
        json!({ "starts_on": "2027-04-01" }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(accepted["status"], "accepted");
    let event_id = accepted["event_ids"][0].as_str().unwrap().to_string();
    let told = tap
        .wait::<ProposalAccepted>("proposal.accepted", |m| {
            m.proposal.proposal_id.to_string() == rap_id
        })
        .await;
    assert_eq!(told.event_ids[0].to_string(), event_id);
    let draft = event_when(&app, &admin, &event_id, "the draft's space", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["organisation"], "ARCI Cremona");
    assert_eq!(draft["season_id"], season.as_str());
    let local: Vec<String> = draft["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| rome(o["starts_at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        local,
        [
            "Thu 01 Apr 17:00",
            "Thu 08 Apr 17:00",
            "Thu 15 Apr 17:00",
            "Thu 22 Apr 17:00"
        ]
    );
    // The organisation can see its draft; another cannot.
    let (status, _) = app
        .get(&format!("/api/v1/events/{event_id}"), Some(&arci))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get(&format!("/api/v1/events/{event_id}"), Some(&other))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Declined, with the reason; a decision is final.
    let beat_id = beat["id"].as_str().unwrap();
    let declined = expect(
        &app,
        &format!("/api/v1/proposals/{beat_id}/decline"),
        Some(&admin),
        json!({ "reason": "Fuori tema" }),
        StatusCode::OK,
    )
    .await;
    assert_eq!(declined["decision_reason"], "Fuori tema");
    let told = tap
        .wait::<ProposalDeclined>("proposal.declined", |m| {
            m.proposal.proposal_id.to_string() == beat_id
        })
        .await;
    assert_eq!(told.reason, "Fuori tema");
    let (status, problem) = app
        .post(
            &format!("/api/v1/proposals/{beat_id}/accept"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(problem["type"], "urn:piazza:problem:proposal_decided");
    let (status, _) = app
        .post(
            &format!("/api/v1/proposals/{beat_id}/decline"),
            Some(&arci),
            &json!({ "reason": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_closed_or_not_yet_open_call_refuses_proposals_with_422() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let arci = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let season = season(&app, &admin).await;
    let today = piazza_e2e::clock::now().date_naive();
    let call = |opens: chrono::NaiveDate| {
        json!({
            "season_id": season, "title": "Idee", "opens_at": opens.to_string(),
            "closes_at": (opens + chrono::Duration::days(10)).to_string()
        })
    };
    let later = expect(
        &app,
        "/api/v1/calls",
        Some(&admin),
        call(today + chrono::Duration::days(5)),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(later["open"], false);
    let problem = expect(
        &app,
        &format!("/api/v1/calls/{}/proposals", later["id"].as_str().unwrap()),
        Some(&arci),
        idea("Presto", "0191d6d5-0000-7000-8000-000000000000"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["call_id"]);
    let open = expect(
        &app,
        "/api/v1/calls",
        Some(&admin),
        call(today),
        StatusCode::CREATED,
    )
    .await;
    let open_id = open["id"].as_str().unwrap();
    let closed = expect(
        &app,
        &format!("/api/v1/calls/{open_id}/close"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["open"], false);
    let problem = expect(
        &app,
        &format!("/api/v1/calls/{open_id}/proposals"),
        Some(&arci),
        idea("Tardi", "0191d6d5-0000-7000-8000-000000000000"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["call_id"]);
    assert!(
        problem["detail"].as_str().unwrap().contains("closed"),
        "{problem}"
    );
    // A call that would close before it opens, or in the past, is refused.
    let problem = expect(
        &app,
        "/api/v1/calls",
        Some(&admin),
        json!({ "season_id": season, "title": "Idee", "opens_at": "2027-03-10", "closes_at": "2027-03-01" }),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["closes_at"]);
    // A slot that ends before it starts, an unknown weekday.
    let mut bad = idea("Storto", "0191d6d5-0000-7000-8000-000000000000");
    bad["preferred_slot"]["ends"] = json!("16:00");
    let problem = expect(
        &app,
        &format!("/api/v1/calls/{}/proposals", later["id"].as_str().unwrap()),
        Some(&arci),
        bad,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        fields(&problem).contains(&"preferred_slot.ends".to_string()),
        "{problem}"
    );
    let mut bad = idea("Storto", "0191d6d5-0000-7000-8000-000000000000");
    bad["preferred_slot"]["weekday"] = json!("funday");
    let problem = expect(
        &app,
        &format!("/api/v1/calls/{open_id}/proposals"),
        Some(&arci),
        bad,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&problem), ["preferred_slot.weekday"]);
    app.stop().await;
}
