//! The distributed form as an operations team runs it, on one machine: two replicas of each
//! service (`piazza serve …` processes on PostgreSQL, RabbitMQ and an SMTP server) behind nginx
//! running the shipped `deploy/gateway.conf`, every request through the gateway.
//!
//! - The login limits hold across replicas: with round robin over two booking replicas, N
//!   replicas do not allow N times the limit (the counters live in PostgreSQL).
//! - A booking's approval and an event's publication email each person exactly once, with
//!   replicas of the notifier consuming the same queue.
//! - A cron job's firing runs once, however many scheduler replicas run it.
//! - One replica of each service killed (SIGKILL) while an event's emails are going out: the
//!   gateway sends every later request to the survivors, and every email still arrives.

use piazza_e2e::clock::{day_ahead, rome};
use piazza_e2e::{
    api::Api,
    deploy::Deployment,
    eventually,
    gateway::{self, Gateway},
    mail::Email,
    metrics,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};

const WAIT: Duration = Duration::from_secs(60);
/// Young people who subscribe through the gateway.
const SUBSCRIBERS: usize = 8;

fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Base URLs of the processes serving `service` (its replicas).
fn replicas(deployment: &Deployment, service: &str) -> Vec<String> {
    deployment
        .nodes
        .iter()
        .filter(|n| n.name == service || n.name.starts_with(&format!("{service}-")))
        .map(|n| n.base_url.clone())
        .collect()
}

/// The gateway's view of the deployment: each service's replicas.
fn upstreams(deployment: &Deployment) -> Vec<(&'static str, Vec<String>)> {
    piazza_e2e::infra::SERVICES
        .iter()
        .map(|service| {
            let urls = replicas(deployment, service);
            // A service this test does not run still needs an upstream for nginx to start.
            let urls = if urls.is_empty() {
                replicas(deployment, "booking")
            } else {
                urls
            };
            (*service, urls)
        })
        .collect()
}

async fn login_status(api: &Api, gateway: &str, email: &str, password: &str) -> StatusCode {
    api.post(
        &format!("{gateway}/api/v1/auth/token"),
        None,
        &json!({ "email": email, "password": password }),
    )
    .await
    .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_limits_hold_across_two_booking_replicas_behind_the_gateway() {
    let mut deployment = Deployment::distributed_services(
        &["booking"],
        settings(&[
            ("PIAZZA_HTTP__TRUSTED_PROXIES", "1"),
            ("PIAZZA_LIMITS__LOGIN_PER_ACCOUNT", "3"),
            ("PIAZZA_LIMITS__LOGIN_PER_ADDRESS", "10"),
        ]),
    )
    .await;
    deployment
        .add_node("booking-2", "booking", BTreeMap::new())
        .await;
    let gateway = Gateway::start(&upstreams(&deployment)).await;
    assert_ne!(gateway.uid(), Some(0), "nginx must not run as root");
    deployment
        .add_user("admin@comune.test", "admin", None, "admin-password-1")
        .await;
    let api = Api::new();
    let g = gateway.url.as_str();

    // Attempt 1 from this address: a good login.
    api.login(g, "admin@comune.test", "admin-password-1").await;
    // Attempts 2–7 at one account with a wrong password: three failures, then refused, though
    // round robin gave each replica only half of them.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login_status(&api, g, "admin@comune.test", "wrong-password").await);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
        ],
        "failed logins per account, counted across both replicas"
    );
    // Attempts 8–10 at other accounts pass the address's limit of ten; the eleventh does not.
    let mut statuses = Vec::new();
    for n in 0..4 {
        let email = format!("nobody{n}@example.org");
        statuses.push(login_status(&api, g, &email, "whatever-password").await);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
        ],
        "login attempts per address, counted across both replicas"
    );
    // Both replicas answered logins: the limit was shared, not held by one of them.
    for base in replicas(&deployment, "booking") {
        let served = metrics::value(
            &metrics::scrape(&base).await,
            "piazza_http_requests_total",
            &[("route", "/api/v1/auth/token")],
        );
        assert!(served >= 4.0, "{base} answered {served} logins");
    }
    drop(gateway);
    deployment.stop().await;
}

/// Emails received so far, by recipient, whose subject contains `subject`.
fn received(deployment: &Deployment, subject: &str) -> BTreeMap<String, usize> {
    let mut by_recipient = BTreeMap::new();
    for email in deployment.mailbox.messages() {
        if email.subject.contains(subject) {
            *by_recipient.entry(email.to).or_insert(0) += 1;
        }
    }
    by_recipient
}

/// Waits until each of `recipients` has an email whose subject contains `subject`, then a little
/// longer for any second copy, and answers the counts.
async fn everyone_has(
    deployment: &Deployment,
    subject: &str,
    recipients: &BTreeSet<String>,
) -> BTreeMap<String, usize> {
    eventually(&format!("every \"{subject}\" email"), WAIT, || {
        let counts = received(deployment, subject);
        let all = recipients.iter().all(|r| counts.contains_key(r));
        async move { all.then_some(()) }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    received(deployment, subject)
}

async fn email_to(deployment: &Deployment, to: &str, subject: &str) -> Email {
    eventually(&format!("\"{subject}\" to {to}"), WAIT, || {
        let found = deployment
            .mailbox
            .messages()
            .into_iter()
            .find(|e| e.to == to && e.subject.contains(subject));
        async move { found }
    })
    .await
}

/// Posts through the gateway and insists on `expected`.
async fn post(
    api: &Api,
    url: &str,
    token: Option<&str>,
    body: Value,
    expected: StatusCode,
) -> Value {
    let (status, answer) = api.post(url, token, &body).await;
    assert_eq!(status, expected, "POST {url}: {answer}");
    answer
}

/// `time` in Rome on the `day`-th day after [`day_ahead`]: the test's dates follow its clock.
fn on_day(day: u32, time: &str) -> String {
    rome(day_ahead() + chrono::Duration::days(i64::from(day)), time)
}

/// Places an event in `space` and publishes it once booking confirmed the slot.
async fn publish_event(api: &Api, g: &str, admin: &str, space: &str, title: &str, day: u32) {
    let event = post(
        api,
        &format!("{g}/api/v1/events"),
        Some(admin),
        json!({
            "title": title, "description": "Musica dal vivo nel centro storico.",
            "categories": ["music"], "age_min": 14, "age_max": 29,
            "starts_at": on_day(day, "21:00"),
            "ends_at": on_day(day, "23:00"),
            "time_zone": "Europe/Rome", "space_id": space
        }),
        StatusCode::CREATED,
    )
    .await;
    let url = format!("{g}/api/v1/events/{}", event["id"].as_str().unwrap());
    eventually("the slot confirmed by booking", WAIT, || {
        let (api, url, admin) = (api.clone(), url.clone(), admin.to_string());
        async move {
            let (_, event) = api.get(&url, Some(&admin)).await;
            (event["space_status"] == "confirmed").then_some(())
        }
    })
    .await;
    post(
        api,
        &format!("{url}/publish"),
        Some(admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
}

/// `fire=` of each "job ran" line of the `complete` job in `log` (ANSI colours removed).
fn completion_firings(log: &str) -> Vec<String> {
    let plain = strip_ansi(log);
    plain
        .lines()
        .filter(|l| l.contains("job ran") && l.contains("complete"))
        .filter_map(|l| {
            let rest = l.split("fire=").nth(1)?;
            Some(rest.split(" run_id").next()?.trim().to_string())
        })
        .collect()
}

/// Resident memory of each process of `deployment` (`VmRSS`, in MB), printed under `when`.
fn print_memory(deployment: &Deployment, when: &str) {
    for node in &deployment.nodes {
        let rss = node
            .pid()
            .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
            .and_then(|status| {
                let line = status
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))?
                    .to_string();
                line.split_whitespace().nth(1)?.parse::<f64>().ok()
            });
        if let Some(kib) = rss {
            println!(
                "resident memory {when}: {} {:.1} MB",
                node.name,
                kib / 1024.0
            );
        }
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_of_each_service_behind_the_gateway_lose_and_double_nothing() {
    let port = gateway::free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut deployment = Deployment::distributed_with(settings(&[
        ("PIAZZA_HTTP__TRUSTED_PROXIES", "1"),
        ("PIAZZA_PUBLIC_URL", &public),
        ("PIAZZA_LIMITS__PUBLIC_PER_ADDRESS", "1000"),
        // A firing every two seconds, so the test sees several, each from one replica.
        ("PIAZZA_SCHEDULER__COMPLETE_CRON", "*/2 * * * * *"),
        // A killed notifier's claims are taken over after three seconds, not ten.
        ("PIAZZA_EMAIL__LEASE_SECONDS", "3"),
        ("PIAZZA_EMAIL__HEARTBEAT_SECONDS", "1"),
    ]))
    .await;
    for service in piazza_e2e::infra::SERVICES {
        deployment
            .add_node(&format!("{service}-2"), service, BTreeMap::new())
            .await;
    }
    let gateway = Gateway::start_on(port, &upstreams(&deployment)).await;
    let g = gateway.url.as_str();
    print_memory(&deployment, "at start");
    let api = Api::new();
    let (admin, operator) = deployment.admin_and_operator(&api, g).await;

    // A space, and an operator's booking approved: the operator is emailed once.
    let every_day: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .map(|d| json!({ "weekday": d, "opens": "09:00", "closes": "23:30" }))
        .into();
    let space = post(
        &api,
        &format!("{g}/api/v1/spaces"),
        Some(&admin),
        json!({
            "name": "Sala delle Colonne", "building": "Palazzo Affaitati",
            "address": "Via Ugolani Dati 4, Cremona", "kind": "hall", "capacity": 120,
            "equipment": [], "time_zone": "Europe/Rome",
            "opening_hours": every_day
        }),
        StatusCode::CREATED,
    )
    .await;
    let space = space["id"].as_str().unwrap().to_string();
    let approve = |day: u32| {
        let (api, g, admin, operator, space) = (
            api.clone(),
            g.to_string(),
            admin.clone(),
            operator.clone(),
            space.clone(),
        );
        async move {
            let booking = post(
                &api,
                &format!("{g}/api/v1/bookings"),
                Some(&operator),
                json!({
                    "space_id": space, "title": format!("Prove del coro {day}"), "attendees": 30,
                    "starts_at": on_day(day, "10:00"),
                    "ends_at": on_day(day, "12:00")
                }),
                StatusCode::CREATED,
            )
            .await;
            let id = booking["id"].as_str().unwrap();
            post(
                &api,
                &format!("{g}/api/v1/bookings/{id}/approve"),
                Some(&admin),
                json!({}),
                StatusCode::OK,
            )
            .await;
        }
    };
    approve(2).await;
    email_to(&deployment, "ops@arci.test", "Prenotazione approvata").await;

    // Young people subscribe and confirm through the gateway, by the links in their emails.
    let people: BTreeSet<String> = (0..SUBSCRIBERS)
        .map(|n| format!("giovane{n}@example.org"))
        .collect();
    for email in &people {
        post(
            &api,
            &format!("{g}/api/v1/subscribers"),
            None,
            json!({ "email": email, "interests": ["music"], "birth_year": 2006,
                    "language": "it", "frequency": "instant" }),
            StatusCode::ACCEPTED,
        )
        .await;
    }
    for email in &people {
        let confirmation = email_to(&deployment, email, "Conferma").await;
        let link = confirmation
            .link("/subscriptions/confirm")
            .expect("confirmation link");
        assert!(link.starts_with(g), "{link} does not lead to the gateway");
        let page = api.raw().post(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK, "confirming {email}");
    }

    // A published event reaches each subscriber once, with two notifiers on the queue.
    publish_event(&api, g, &admin, &space, "Concerto dei licei", 5).await;
    let first = everyone_has(&deployment, "Concerto dei licei", &people).await;
    assert!(
        first.values().all(|&n| n == 1),
        "each exactly once: {first:?}"
    );
    let approvals = received(&deployment, "Prenotazione approvata");
    assert_eq!(approvals.get("ops@arci.test"), Some(&1), "{approvals:?}");

    print_memory(&deployment, "after the first event's emails");

    // One replica of each service killed while the next event's emails go out.
    publish_event(&api, g, &admin, &space, "Jazz in cortile", 12).await;
    for service in piazza_e2e::infra::SERVICES {
        deployment.node_mut(service).kill().await;
    }
    // The gateway sends everything to the survivors: nothing refused, nothing lost.
    approve(9).await;
    let second = everyone_has(&deployment, "Jazz in cortile", &people).await;
    // Only an email the killed notifier had handed to the SMTP server and not yet marked sent
    // may go twice (README, "What happens when…"); never more than one extra copy.
    assert!(second.values().all(|&n| n <= 2), "{second:?}");
    eventually("the second approval email", WAIT, || {
        let n = received(&deployment, "Prenotazione approvata")
            .get("ops@arci.test")
            .copied();
        async move { (n == Some(2)).then_some(()) }
    })
    .await;
    post(
        &api,
        &format!("{g}/api/v1/subscribers"),
        None,
        json!({ "email": "dopo@example.org", "interests": ["music"], "birth_year": 2006,
                "language": "it", "frequency": "instant" }),
        StatusCode::ACCEPTED,
    )
    .await;
    email_to(&deployment, "dopo@example.org", "Conferma").await;

    // Each firing of the completion job ran once, over both replicas and the kill.
    let mut firings = Vec::new();
    for node in deployment
        .nodes
        .iter()
        .filter(|n| n.name.starts_with("scheduler"))
    {
        firings.extend(completion_firings(&node.logs()));
    }
    let distinct: BTreeSet<&String> = firings.iter().collect();
    assert!(firings.len() >= 2, "the job fired {} times", firings.len());
    assert_eq!(
        distinct.len(),
        firings.len(),
        "a firing ran twice: {firings:?}"
    );
    drop(gateway);
    deployment.stop().await;
}
