//! What a calendar import may reach: a feed's URL, or a redirect from one, must not make the
//! scheduler read the machine itself, the private network or a cloud's metadata service. Every
//! hop is resolved and checked before a request is sent, unless an administrator allowed the
//! host (`scheduler.import_allowed_hosts`); the connection goes to the address that was checked.

use axum::{
    Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode as Code, header},
    response::{IntoResponse, Response},
    routing::get,
};
use futures::future::BoxFuture;
use piazza_e2e::{ServiceSections, app::TestApp};
use piazza_scheduler::import::fetch::{AllowedHosts, Fetched, Fetcher, Resolve};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Teatro//IT\r\nBEGIN:VEVENT\r\nUID:amleto@teatro\r\nSUMMARY:Amleto\r\nDTSTART:20270410T190000Z\r\nDTEND:20270410T210000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// A calendar server that counts the requests it gets and redirects as it is told:
/// `/calendar.ics` is the calendar, `/to/<n>` redirects to `/to/<n-1>` and `/to/0` to the
/// calendar, `/loop` to itself, `/away` to `away` (another address).
#[derive(Clone)]
struct Server {
    hits: Arc<AtomicUsize>,
    away: Arc<String>,
}

async fn calendar(State(server): State<Server>) -> Response {
    server.hits.fetch_add(1, Ordering::SeqCst);
    ([(header::CONTENT_TYPE, "text/calendar")], CALENDAR).into_response()
}

async fn redirect(State(server): State<Server>, UrlPath(n): UrlPath<u32>) -> Response {
    server.hits.fetch_add(1, Ordering::SeqCst);
    let to = if n == 0 {
        "/calendar.ics".to_string()
    } else {
        format!("/to/{}", n - 1)
    };
    (Code::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn endless(State(server): State<Server>) -> Response {
    server.hits.fetch_add(1, Ordering::SeqCst);
    (Code::FOUND, [(header::LOCATION, "/loop")]).into_response()
}

async fn redirect_away(State(server): State<Server>) -> Response {
    server.hits.fetch_add(1, Ordering::SeqCst);
    (
        Code::TEMPORARY_REDIRECT,
        [(header::LOCATION, server.away.to_string())],
    )
        .into_response()
}

/// Starts a server on `ip`:`port` (0: any free port); returns its address and hit counter.
async fn serve(ip: &str, port: u16, elsewhere: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    let server = Server {
        hits: Arc::default(),
        away: Arc::new(elsewhere.to_string()),
    };
    let app = Router::new()
        .route("/calendar.ics", get(calendar))
        .route("/to/{n}", get(redirect))
        .route("/loop", get(endless))
        .route("/away", get(redirect_away))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind((ip.to_string(), port))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, server.hits)
}

async fn app(allowed: &[String]) -> (TestApp, String, String) {
    let allowed = allowed.to_vec();
    let app = TestApp::builder()
        .services(&[piazza_scheduler::SERVICE])
        .settings(move |s| {
            s.scheduler().jobs_enabled = false;
            s.scheduler().import_allowed_hosts = allowed;
        })
        .spawn()
        .await;
    let admin = crate::scheduler::admin_token(&app);
    let (status, season) = app
        .post(
            "/api/v1/seasons",
            Some(&admin),
            &json!({ "name": "Autunno", "starts_on": "2027-01-01", "ends_on": "2027-12-31" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{season}");
    let season = season["id"].as_str().unwrap().to_string();
    (app, admin, season)
}

async fn subscribe(app: &TestApp, admin: &str, season: &str, url: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/seasons/{season}/feeds"),
        Some(admin),
        &json!({ "url": url, "name": "Teatro" }),
    )
    .await
}

#[tokio::test]
async fn a_feed_whose_name_resolves_inside_the_network_is_refused_before_any_request() {
    let (app, admin, season) = app(&[]).await;
    let (address, hits) = serve("127.0.0.1", 0, "").await;
    let url = format!("http://localhost:{}/calendar.ics", address.port());
    let (status, created) = subscribe(&app, &admin, &season, &url).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["outcome"], "failed", "{created}");
    let error = created["error"].as_str().unwrap();
    assert!(
        error.contains("refused") && error.contains("loopback"),
        "the administrator is told why: {error}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0, "nothing was sent");
    app.stop().await;
}

#[tokio::test]
async fn feed_addresses_inside_the_network_are_refused_when_subscribed() {
    let (app, admin, season) = app(&[]).await;
    let (address, hits) = serve("127.0.0.1", 0, "").await;
    let port = address.port();
    for url in [
        format!("http://127.0.0.1:{port}/calendar.ics"),
        format!("http://127.1:{port}/calendar.ics"),
        format!("http://2130706433:{port}/calendar.ics"),
        format!("http://0x7f.0.0.1:{port}/calendar.ics"),
        format!("http://0.0.0.0:{port}/calendar.ics"),
        format!("http://[::1]:{port}/calendar.ics"),
        format!("http://[::ffff:127.0.0.1]:{port}/calendar.ics"),
        format!("http://[::ffff:7f00:1]:{port}/calendar.ics"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::ffff:169.254.169.254]/latest/meta-data/".to_string(),
        "http://10.0.0.1/calendar.ics".to_string(),
        "http://172.16.5.4/calendar.ics".to_string(),
        "https://192.168.1.1/calendar.ics".to_string(),
        "http://100.64.0.1/calendar.ics".to_string(),
        "http://[fd00::1]/calendar.ics".to_string(),
        "http://[fe80::1]/calendar.ics".to_string(),
        "http://224.0.0.1/calendar.ics".to_string(),
        "http://[ff02::1]/calendar.ics".to_string(),
    ] {
        let (status, problem) = subscribe(&app, &admin, &season, &url).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("inside the network"),
            "{url}: {problem}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_redirect_into_the_network_is_refused_even_from_an_allowed_host() {
    // Another port of the machine, where the redirect tries to go.
    let (inner, inner_hits) = serve("127.0.0.1", 0, "").await;
    let (outer, outer_hits) = serve(
        "127.0.0.1",
        0,
        &format!("http://127.0.0.1:{}/calendar.ics", inner.port()),
    )
    .await;
    // Only the outer server is allowed, by host and port.
    let (app, admin, season) = app(&[format!("127.0.0.1:{}", outer.port())]).await;
    let url = format!("http://127.0.0.1:{}/away", outer.port());
    let (status, created) = subscribe(&app, &admin, &season, &url).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["outcome"], "failed", "{created}");
    assert!(
        created["error"].as_str().unwrap().contains("refused"),
        "{created}"
    );
    assert_eq!(outer_hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        inner_hits.load(Ordering::SeqCst),
        0,
        "the redirect was not followed"
    );
    app.stop().await;
}

#[tokio::test]
async fn redirects_are_followed_to_a_limit() {
    let (server, hits) = serve("127.0.0.1", 0, "").await;
    let (app, admin, season) = app(&["127.0.0.1".to_string()]).await;
    let base = format!("http://127.0.0.1:{}", server.port());
    let (_, followed) = subscribe(&app, &admin, &season, &format!("{base}/to/3")).await;
    assert_eq!(followed["outcome"], "applied", "{followed}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        5,
        "four redirects, then the calendar"
    );
    let (_, endless) = subscribe(&app, &admin, &season, &format!("{base}/loop")).await;
    assert_eq!(endless["outcome"], "failed", "{endless}");
    assert!(
        endless["error"]
            .as_str()
            .unwrap()
            .contains("redirects more than 5 times"),
        "{endless}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        5 + 6,
        "the first request and five redirects"
    );
    app.stop().await;
}

/// A DNS server whose answer changes after the first question (DNS rebinding).
#[derive(Debug)]
struct Rebinding {
    first: SocketAddr,
    then: SocketAddr,
    asked: AtomicUsize,
}

impl Resolve for Rebinding {
    fn lookup(
        &self,
        _host: &str,
        _port: u16,
    ) -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> {
        let n = self.asked.fetch_add(1, Ordering::SeqCst);
        let answer = if n == 0 { self.first } else { self.then };
        Box::pin(async move { Ok(vec![answer]) })
    }
}

#[tokio::test]
async fn the_connection_goes_to_the_address_that_was_checked_whatever_dns_answers_next() {
    // Two servers on one port of two loopback addresses: the name first resolves to the one,
    // then to the other. (A real attack answers a public address first, then a private one; no
    // public address can be served here, so the host is allowed and the pinning is what is
    // watched: the system's resolver does not know `calendar.test` at all, so a client that
    // looked the name up again would not even connect.)
    let (checked, checked_hits) = serve("127.0.0.1", 0, "").await;
    let (swapped, swapped_hits) = serve("127.0.0.2", checked.port(), "").await;
    let resolver = Arc::new(Rebinding {
        first: checked,
        then: swapped,
        asked: AtomicUsize::new(0),
    });
    let fetcher = Fetcher::with_resolver(
        Duration::from_secs(10),
        1_000_000,
        AllowedHosts::new(&["calendar.test".to_string()]),
        resolver.clone(),
    )
    .unwrap();
    let url = format!("http://calendar.test:{}/calendar.ics", checked.port());
    let fetched = fetcher.fetch(&url, None, None).await.unwrap();
    assert!(matches!(fetched, Fetched::Calendar { .. }), "{fetched:?}");
    assert_eq!(checked_hits.load(Ordering::SeqCst), 1);
    assert_eq!(swapped_hits.load(Ordering::SeqCst), 0);
    assert_eq!(
        resolver.asked.load(Ordering::SeqCst),
        1,
        "asked once, by the check"
    );
    // Without the allowance, the name is refused at the answer it gives, before any request.
    let strict = Fetcher::with_resolver(
        Duration::from_secs(10),
        1_000_000,
        AllowedHosts::default(),
        resolver.clone(),
    )
    .unwrap();
    let refused = strict.fetch(&url, None, None).await.unwrap_err();
    assert!(refused.to_string().contains("loopback"), "{refused}");
    assert_eq!(swapped_hits.load(Ordering::SeqCst), 0);
}
