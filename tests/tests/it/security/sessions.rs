//! Sessions end before their tokens expire: a logout (API or page), a new password, a new role
//! and disabling the account each make booking refuse the tokens at once, and the scheduler and
//! the notifier — which never read booking's tables — as soon as the bus brings them the news;
//! in the distributed form (three processes on RabbitMQ) and in the embedded one.

use crate::pages::{csrf_of, log_in, page, post_form};
use piazza_e2e::{api::Api, app::TestApp, deploy::Deployment, eventually, node};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const EMAIL: &str = "boss@comune.test";
const PASSWORD: &str = "a-long-test-password";
const WAIT: Duration = Duration::from_secs(20);

/// A call each service answers only for a valid administrator's token.
fn probes(deployment: &Deployment) -> Vec<String> {
    vec![
        format!("{}/api/v1/bookings", deployment.url("booking")),
        format!("{}/api/v1/jobs", deployment.url("scheduler")),
        format!("{}/api/v1/reports/outreach", deployment.url("notifier")),
    ]
}

async fn accepted_everywhere(api: &Api, deployment: &Deployment, token: &str) {
    for url in probes(deployment) {
        let (status, body) = api.get(&url, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{url}: {body}");
    }
}

/// Each service refuses `token` with 401, within [`WAIT`] (the bus carries the news).
async fn refused_everywhere(api: &Api, deployment: &Deployment, token: &str, why: &str) {
    for url in probes(deployment) {
        eventually(
            &format!("{url} to refuse the token ({why})"),
            WAIT,
            || async {
                let (status, body) = api.get(&url, Some(token)).await;
                (status == StatusCode::UNAUTHORIZED).then_some(body)
            },
        )
        .await;
    }
}

async fn cli(deployment: &Deployment, args: &[&str], stdin: &str) {
    let (ok, output) = node::run(&deployment.env, args, stdin).await;
    assert!(ok, "piazza {args:?} failed: {output}");
}

async fn login_status(api: &Api, deployment: &Deployment, password: &str) -> StatusCode {
    let (status, _) = api
        .post(
            &format!("{}/api/v1/auth/token", deployment.url("booking")),
            None,
            &json!({ "email": EMAIL, "password": password }),
        )
        .await;
    status
}

/// Every way of ending sessions, one after the other, each with fresh tokens.
async fn each_way_of_ending_sessions_is_refused_at_every_service(deployment: &Deployment) {
    let api = Api::new();
    let booking = deployment.url("booking").to_string();
    deployment.add_user(EMAIL, "admin", None, PASSWORD).await;

    // A logout ends its own session only.
    let leaving = api.login(&booking, EMAIL, PASSWORD).await;
    let staying = api.login(&booking, EMAIL, PASSWORD).await;
    accepted_everywhere(&api, deployment, &leaving).await;
    let (status, body) = api
        .post(
            &format!("{booking}/api/v1/auth/logout"),
            Some(&leaving),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    refused_everywhere(&api, deployment, &leaving, "logged out").await;
    accepted_everywhere(&api, deployment, &staying).await;

    // A new password ends every session; the new password logs in.
    let new_password = "another-long-password";
    cli(
        deployment,
        &["user", "password", "--email", EMAIL, "--password-stdin"],
        &format!("{new_password}\n"),
    )
    .await;
    refused_everywhere(&api, deployment, &staying, "password changed").await;
    assert_eq!(
        login_status(&api, deployment, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    let token = api.login(&booking, EMAIL, new_password).await;
    accepted_everywhere(&api, deployment, &token).await;

    // A new role ends every session: the old token no longer speaks for an administrator.
    cli(
        deployment,
        &["user", "role", "--email", EMAIL, "--role", "evaluator"],
        "",
    )
    .await;
    refused_everywhere(&api, deployment, &token, "role changed").await;
    let evaluator = api.login(&booking, EMAIL, new_password).await;
    let (status, _) = api
        .get(&format!("{booking}/api/v1/bookings"), Some(&evaluator))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an evaluator now");
    cli(
        deployment,
        &["user", "role", "--email", EMAIL, "--role", "admin"],
        "",
    )
    .await;
    refused_everywhere(&api, deployment, &evaluator, "role changed back").await;

    // Disabling ends every session and refuses logins until the account is enabled again.
    let token = api.login(&booking, EMAIL, new_password).await;
    accepted_everywhere(&api, deployment, &token).await;
    cli(deployment, &["user", "disable", "--email", EMAIL], "").await;
    refused_everywhere(&api, deployment, &token, "disabled").await;
    assert_eq!(
        login_status(&api, deployment, new_password).await,
        StatusCode::UNAUTHORIZED
    );
    cli(deployment, &["user", "enable", "--email", EMAIL], "").await;
    let token = api.login(&booking, EMAIL, new_password).await;
    accepted_everywhere(&api, deployment, &token).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_at_every_service_distributed_on_rabbitmq() {
    let deployment = Deployment::distributed().await;
    each_way_of_ending_sessions_is_refused_at_every_service(&deployment).await;
    deployment.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_at_every_service_embedded() {
    let deployment = Deployment::embedded().await;
    each_way_of_ending_sessions_is_refused_at_every_service(&deployment).await;
    deployment.stop().await;
}

#[tokio::test]
async fn logging_out_of_the_pages_ends_the_session_not_only_the_cookie() {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    app.add_user(EMAIL, Role::Admin, None, PASSWORD).await;
    let (_, cookie) = log_in(&app, EMAIL).await;
    // A page of the scheduler: the planner's list of events.
    let (status, html) = page(&app, "/admin/events", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let (status, location, _) =
        post_form(&app, "/logout", &cookie, &[("csrf", &csrf_of(&html))]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/");
    // The same cookie, kept by someone who copied it, opens nothing any more.
    for path in [
        "/admin/events",
        "/admin/bookings",
        "/admin/indicators/outreach",
    ] {
        let (status, _) = page(&app, path, &cookie).await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "{path} sends to the login page"
        );
    }
    let token = cookie.trim_start_matches("piazza_session=");
    let (status, _) = app.get("/api/v1/jobs", Some(token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}
