//! Every page, not only those the journeys pass through: `piazza demo` fills an empty Piazza with
//! its programme, then a visitor, the demo's operator, administrator and evaluator each follow
//! every link their pages offer, in Italian and in English, in headless Chromium. Each page
//! reached is checked by axe-core (WCAG 2.1 A and AA, see `Browser::audit`) and must be a page in
//! the site's style, never a bare answer. The main pages are saved as screenshots for the
//! README's quick tour.

use piazza_e2e::{
    browser::Browser,
    deploy::Deployment,
    eventually,
    node::{Node, demo_account},
};
use serde_json::json;
use std::{
    collections::{BTreeMap, BTreeSet, VecDeque},
    time::Duration,
};

/// At most this many addresses of one shape (same path with ids left out, same query keys):
/// the calendar links every week and month, and two of each say what the others would.
const PER_SHAPE: usize = 2;
/// A bound on each walk, far above what the demo's pages link to.
const MAX_PAGES: usize = 150;

/// Links that are not pages: downloads, the API, the language switch (each walk keeps one
/// language), and signing out.
fn is_page(path: &str) -> bool {
    let bare = path.split(['?', '#']).next().unwrap_or_default();
    ![
        ".csv", ".xlsx", ".ics", ".json", ".png", ".jpg", ".js", ".css", ".xml",
    ]
    .iter()
    .any(|end| bare.ends_with(end))
        && ![
            "/api/", "/assets/", "/metrics", "/healthz", "/readyz", "/logout",
        ]
        .iter()
        .any(|part| bare.starts_with(part))
        && !path.contains("lang=")
}

/// A path with its ids and the values of its query left out: `/events/{}?date`.
fn shape(path: &str) -> String {
    let (bare, query) = path.split_once('?').unwrap_or((path, ""));
    let segments: Vec<&str> = bare
        .split('/')
        .map(|s| {
            if s.len() >= 32 && s.contains('-') {
                "{}"
            } else {
                s
            }
        })
        .collect();
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.split('=').next())
        .collect();
    keys.sort();
    format!("{}?{}", segments.join("/"), keys.join("&"))
}

/// Follows every link from `start` within the site; returns the paths visited.
async fn walk(browser: &Browser, base: &str, start: &str) -> Vec<String> {
    let mut queue = VecDeque::from([start.to_string()]);
    let mut seen = BTreeSet::from([start.to_string()]);
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut visited = Vec::new();
    while let Some(path) = queue.pop_front() {
        browser.goto(&format!("{base}{path}")).await;
        let styled = browser
            .run(
                "return !!document.querySelector('link[rel=stylesheet][href^=\"/assets/piazza.css\"]') \
                 && !!document.querySelector('main h1');",
                json!([]),
            )
            .await;
        assert_eq!(
            styled,
            json!(true),
            "{path} is not a page in the site's style"
        );
        println!("  checked {path}");
        visited.push(path);
        assert!(
            visited.len() <= MAX_PAGES,
            "more pages than expected: {visited:?}"
        );
        let links = browser
            .run(
                "return Array.from(document.querySelectorAll('a[href]'), a => a.href);",
                json!([]),
            )
            .await;
        for link in links
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str())
        {
            let Some(path) = link.strip_prefix(base) else {
                continue;
            };
            let path = path.split('#').next().unwrap_or_default().to_string();
            if path.is_empty() || !is_page(&path) || seen.contains(&path) {
                continue;
            }
            let count = shapes.entry(shape(&path)).or_default();
            if *count >= PER_SHAPE {
                continue;
            }
            *count += 1;
            seen.insert(path.clone());
            queue.push_back(path);
        }
    }
    visited
}

async fn sign_in(browser: &Browser, base: &str, email: &str, password: &str) {
    browser.clear_cookies().await;
    browser.goto(&format!("{base}/login")).await;
    browser.type_into("#f-email", email).await;
    browser.type_into("#f-password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("header", email).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_the_demo_passes_axe_for_every_role_in_both_languages() {
    let deployment = Deployment::embedded_idle();
    let mut node = Node::start(
        "demo",
        deployment.env.clone(),
        &["demo"],
        deployment.dir.path(),
    )
    .await;
    let base = node.base_url.clone();
    let output = eventually(
        "the demo to print how to sign in",
        Duration::from_secs(60),
        || async {
            let logs = node.logs();
            logs.contains("(the passwords are shown only now")
                .then_some(logs)
        },
    )
    .await;
    let browser = Browser::start().await;
    let mut report = Vec::new();
    let roles = [
        (None, "/"),
        (Some("operator"), "/bookings"),
        (Some("administrator"), "/admin/bookings"),
        (Some("evaluator"), "/admin/indicators"),
    ];
    for language in ["it", "en"] {
        for (role, start) in roles {
            browser.clear_cookies().await;
            if let Some(role) = role {
                let (email, password) = demo_account(&output, role);
                sign_in(&browser, &base, &email, &password).await;
            }
            // The language chosen once is kept by a cookie for the whole walk.
            browser
                .goto(&format!("{base}{start}?lang={language}"))
                .await;
            let visited = walk(&browser, &base, start).await;
            report.push(format!(
                "{} ({language}): {} pages",
                role.unwrap_or("visitor"),
                visited.len()
            ));
            // Each role reaches its own pages through links alone.
            let must = match role {
                None => vec!["/events/", "/subscribe", "/login"],
                Some("operator") => vec!["/bookings/new", "/spaces/find", "/propose", "/calls"],
                Some("administrator") => {
                    vec![
                        "/admin/spaces",
                        "/admin/seasons/",
                        "/admin/accounts",
                        "/admin/monitoring/indicators",
                    ]
                }
                _ => vec![
                    "/admin/indicators/spaces",
                    "/admin/indicators/outreach",
                    "/admin/monitoring",
                ],
            };
            for page in must {
                assert!(
                    visited.iter().any(|p| p.starts_with(page)),
                    "{role:?} never reached {page}: {visited:?}"
                );
            }
            if language == "it" {
                screenshots(&browser, &base, role, &visited).await;
            }
        }
    }
    println!(
        "every page checked with axe-core:\n  {}",
        report.join("\n  ")
    );
    browser.quit().await;
    node.terminate().await;
}

/// The quick tour's pictures: a few pages each person uses most, from the demo's programme.
async fn screenshots(browser: &Browser, base: &str, role: Option<&str>, visited: &[String]) {
    let wanted: &[(&str, &str)] = match role {
        None => &[("/", "tour-calendar"), ("/events/", "tour-event")],
        Some("operator") => &[
            ("/spaces/find", "tour-find-a-space"),
            ("/bookings/new", "tour-book"),
        ],
        Some("administrator") => &[
            ("/admin/seasons/", "tour-season-planner"),
            ("/admin/spaces", "tour-spaces"),
        ],
        _ => &[("/admin/indicators", "tour-indicators")],
    };
    for (prefix, name) in wanted {
        let page = visited
            .iter()
            .find(|p| {
                p.split('?').next() == Some(prefix)
                    || (prefix.ends_with('/') && p.starts_with(prefix))
            })
            .unwrap_or_else(|| panic!("no page {prefix} among {visited:?}"));
        browser.goto(&format!("{base}{page}")).await;
        browser.screenshot(name).await;
    }
}
