//! The authorisation matrix, generated from the OpenAPI document (which the `openapi` tests hold
//! to the router): every operation × {anonymous, administrator, operator, operator of another
//! organisation, evaluator} is answered as the operation declares — its `security` (public,
//! a signed link, or bearer roles) and `x-piazza-scope: organisation` for items an operator
//! reaches only for its own organisation. An operation without a declaration fails the test.

use super::{Operation, concrete, document, operations};
use crate::scheduler::{expect, season, space};
use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    /// The operator whose organisation owns the fixtures.
    Operator,
    /// An operator of another organisation.
    Stranger,
    Evaluator,
}

impl Who {
    fn role(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Admin => Some("admin"),
            Who::Operator | Who::Stranger => Some("operator"),
            Who::Evaluator => Some("evaluator"),
        }
    }
}

/// What an operation declares.
#[derive(Debug)]
enum Access {
    /// Anyone, with or without a token.
    Public,
    /// Only with a signed link (or, for `roles`, a bearer token).
    Link { roles: Vec<String> },
    /// A bearer token with one of `roles` (all roles when empty).
    Bearer { roles: Vec<String>, scoped: bool },
}

fn access(op: &Operation) -> Result<Access, String> {
    let Some(requirements) = op.doc["security"].as_array() else {
        return Err(format!("{} declares no `security`", op.name()));
    };
    if requirements.is_empty() {
        return Err(format!("{} has an empty `security` list", op.name()));
    }
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let roles = requirements.iter().find_map(|r| r.get("bearer")).map(names);
    let public = requirements
        .iter()
        .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
    let link = requirements.iter().any(|r| r.get("link").is_some());
    let scoped = op.doc.get("x-piazza-scope").is_some();
    Ok(match (public, link, roles) {
        (true, _, _) => Access::Public,
        (false, true, roles) => Access::Link {
            roles: roles.unwrap_or_default(),
        },
        (false, false, Some(roles)) => Access::Bearer { roles, scoped },
        (false, false, None) => return Err(format!("{} declares no known scheme", op.name())),
    })
}

/// Items owned by the operator's organisation (and the space, season and call they need), by
/// the path they are reached under.
pub struct Fixtures {
    pub ids: BTreeMap<&'static str, String>,
}

impl Fixtures {
    pub async fn create(app: &TestApp, admin: &str, operator: &str) -> Self {
        let space = space(app, admin, "Sala Maffei").await;
        let season = season(app, admin).await;
        let booking = expect(
            app,
            "/api/v1/bookings",
            Some(operator),
            json!({
                "space_id": space, "title": "Prove del coro", "attendees": 30,
                "starts_at": "2027-03-02T18:00:00+01:00", "ends_at": "2027-03-02T20:00:00+01:00"
            }),
            StatusCode::CREATED,
        )
        .await;
        let event = expect(
            app,
            "/api/v1/events",
            Some(operator),
            json!({
                "title": "Jam session", "categories": ["music"], "age_min": 16, "age_max": 29,
                "starts_at": "2027-05-07T21:00:00+02:00", "ends_at": "2027-05-07T23:00:00+02:00",
                "capacity": 60, "price_cents": 0, "funding_line": "fesr"
            }),
            StatusCode::CREATED,
        )
        .await;
        let today = piazza_e2e::clock::now().date_naive();
        let call = expect(
            app,
            "/api/v1/calls",
            Some(admin),
            json!({
                "season_id": season, "title": "Idee", "description": "Proposte",
                "opens_at": today.to_string(), "closes_at": (today + chrono::Duration::days(30)).to_string()
            }),
            StatusCode::CREATED,
        )
        .await;
        let proposal = expect(
            app,
            &format!("/api/v1/calls/{}/proposals", call["id"].as_str().unwrap()),
            Some(operator),
            json!({
                "title": "Rap lab", "description": "Laboratorio", "categories": ["music"],
                "age_min": 14, "age_max": 19, "capacity": 20, "sessions": 4, "space_id": space,
                "preferred_slot": { "weekday": "thu", "starts": "17:00", "ends": "19:00" }
            }),
            StatusCode::CREATED,
        )
        .await;
        let id = |v: &Value| v["id"].as_str().expect("id").to_string();
        let booking_id = id(&booking);
        let occurrence = event["occurrences"][0]["id"]
            .as_str()
            .expect("the event's occurrence id")
            .to_string();
        Self {
            ids: BTreeMap::from([
                ("/api/v1/bookings/{id}", booking_id),
                ("/api/v1/events/{id}", id(&event)),
                (
                    "/api/v1/events/{id}/occurrences/{occurrence_id}",
                    occurrence,
                ),
                ("/api/v1/proposals/{id}", id(&proposal)),
                ("/api/v1/spaces/{id}", space),
                ("/api/v1/seasons/{id}", season),
                ("/api/v1/calls/{id}", id(&call)),
            ]),
        }
    }

    /// The path of an owned item, if the fixtures have one for `path`.
    fn path(&self, path: &str) -> Option<String> {
        let mut ok = true;
        let filled = concrete(path, |param| {
            let key = if param == "id" {
                self.ids
                    .keys()
                    .find(|k| path.starts_with(*k) && k.ends_with("{id}"))
            } else {
                self.ids
                    .keys()
                    .find(|k| k.ends_with(&format!("{{{param}}}")))
            };
            match key.and_then(|k| self.ids.get(k)) {
                Some(id) => id.clone(),
                None => {
                    ok = false;
                    String::new()
                }
            }
        });
        ok.then_some(filled)
    }
}

async fn call(
    app: &TestApp,
    op: &Operation,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let method = Method::from_bytes(op.method.to_uppercase().as_bytes()).unwrap();
    let body = matches!(op.method, "post" | "patch" | "put").then(|| json!({}));
    app.api
        .call(method, &app.url(path), token, body.as_ref())
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_it_declares() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("ARCI Cremona"))
        .await;
    let stranger = app
        .user("ops@iride.test", Role::Operator, Some("Cooperativa Iride"))
        .await;
    let evaluator = app
        .user("monitor@valutatore.test", Role::Evaluator, None)
        .await;
    let fixtures = Fixtures::create(&app, &admin, &operator).await;
    let doc = document(&app).await;
    let token = |who: Who| match who {
        Who::Anonymous => None,
        Who::Admin => Some(admin.as_str()),
        Who::Operator => Some(operator.as_str()),
        Who::Stranger => Some(stranger.as_str()),
        Who::Evaluator => Some(evaluator.as_str()),
    };
    let mut faults = Vec::new();
    let mut cases = 0;
    // Logging out ends the session of the token it is called with: last, so every other
    // operation is called with live tokens.
    let (logouts, others): (Vec<Operation>, Vec<Operation>) = operations(&doc)
        .into_iter()
        .partition(|op| op.path == "/api/v1/auth/logout");
    for op in others.into_iter().chain(logouts) {
        let access = match access(&op) {
            Ok(a) => a,
            Err(fault) => {
                faults.push(fault);
                continue;
            }
        };
        let scoped = matches!(access, Access::Bearer { scoped: true, .. });
        let path = if scoped {
            match fixtures.path(&op.path) {
                Some(p) => p,
                None => {
                    faults.push(format!("{}: scoped, but no fixture owns it", op.name()));
                    continue;
                }
            }
        } else {
            concrete(&op.path, |_| uuid::Uuid::now_v7().to_string())
        };
        // The owner and the administrator last: what they may do can change the item.
        for who in [
            Who::Anonymous,
            Who::Evaluator,
            Who::Stranger,
            Who::Operator,
            Who::Admin,
        ] {
            let (status, body) = call(&app, &op, &path, token(who)).await;
            cases += 1;
            let denied = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            let expected: Result<(), String> = match &access {
                Access::Public => (!denied).then_some(()).ok_or("allowed".into()),
                Access::Link { roles } => match who.role() {
                    Some(role) if roles.iter().any(|r| r == role) => {
                        (!denied).then_some(()).ok_or("allowed".into())
                    }
                    // Without the link: refused, whatever the status.
                    _ => status.is_client_error().then_some(()).ok_or("a 4xx".into()),
                },
                Access::Bearer { roles, scoped } => match who.role() {
                    None => (status == StatusCode::UNAUTHORIZED)
                        .then_some(())
                        .ok_or("401".into()),
                    Some(role) if !roles.is_empty() && !roles.iter().any(|r| r == role) => (status
                        == StatusCode::FORBIDDEN)
                        .then_some(())
                        .ok_or("403".into()),
                    Some(_) if *scoped && who == Who::Stranger => (status == StatusCode::FORBIDDEN)
                        .then_some(())
                        .ok_or("403 (another organisation's item)".into()),
                    Some(_) => (!denied).then_some(()).ok_or("allowed".into()),
                },
            };
            if let Err(wanted) = expected {
                faults.push(format!(
                    "{} as {who:?}: {status}, expected {wanted}: {body}",
                    op.name()
                ));
            }
        }
    }
    println!("authorisation matrix: {cases} cases");
    assert!(
        faults.is_empty(),
        "{} faults in {cases} cases: {faults:#?}",
        faults.len()
    );
    assert!(cases > 200, "only {cases} cases: is the document complete?");
    app.stop().await;
}
