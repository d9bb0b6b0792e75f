//! The end-to-end harness: start Piazza as real processes against real PostgreSQL, RabbitMQ and
//! SMTP, each test with its own schemas, exchange and queue names, SMTP server and data folder, so
//! tests run in parallel without seeing each other.

// A test harness: a failed expectation must stop the test loudly, so panicking is the point.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

pub mod api;
pub mod app;
pub mod audience;
pub mod broker;
pub mod browser;
pub mod clock;
pub mod deploy;
pub mod gateway;
pub mod images;
pub mod infra;
pub mod mail;
pub mod metrics;
pub mod node;
pub mod observer;
pub mod outbox_tap;
pub mod proxy;
pub mod sections;
pub mod smtp;
pub mod tally;

pub use sections::ServiceSections;

use std::{future::Future, time::Duration};

/// Polls `probe` until it returns `Some`, for at most `limit`; panics with `what` otherwise.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A plain HTTP client (TLS on the process's provider, see `piazza_shared::tls`).
pub fn http() -> reqwest::Client {
    piazza_shared::tls::client_builder()
        .build()
        .expect("an HTTP client")
}

/// A short unique name for this test's resources (lowercase letters and digits).
pub fn unique_name() -> String {
    clock::pin();
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("t{}", &id[..12])
}

/// PostgreSQL for tests; `PIAZZA_TEST_DATABASE_URL` overrides the machine's default.
pub fn database_url() -> String {
    std::env::var("PIAZZA_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// RabbitMQ for tests; `PIAZZA_TEST_AMQP_URL` overrides the machine's default.
pub fn amqp_url() -> String {
    std::env::var("PIAZZA_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}
