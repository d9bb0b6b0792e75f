//! Fetching an external calendar with a conditional request (RFC 9110 §13): the validators of the
//! last full answer go back as If-None-Match and If-Modified-Since, and a 304 means nothing
//! changed. Answers are read up to a size limit.

use reqwest::{StatusCode, header};
use std::time::Duration;

/// A fetch that did not give a calendar.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("could not reach it: {0}")]
    Unreachable(String),
    #[error("it answered HTTP {0}")]
    Status(u16),
    #[error("it is larger than {0} bytes")]
    TooLarge(u64),
    #[error("it is not UTF-8 text")]
    NotText,
}

/// What the server said.
#[derive(Debug)]
pub enum Fetched {
    /// 304: as last time.
    NotModified,
    Calendar {
        text: String,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// An HTTP client for imports, built once.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_bytes: u64,
}

impl Fetcher {
    pub fn new(timeout: Duration, max_bytes: u64) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!(
                "Piazza/",
                env!("CARGO_PKG_VERSION"),
                " (calendar import)"
            ))
            .build()?;
        Ok(Self { client, max_bytes })
    }

    /// GETs `url`, sending the validators of the last full answer.
    pub async fn fetch(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let mut request = self
            .client
            .get(url)
            .header(header::ACCEPT, "text/calendar, text/plain;q=0.5, */*;q=0.1");
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(at) = last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, at);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(without_url(e)))?;
        match response.status() {
            StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
            status if !status.is_success() => return Err(FetchError::Status(status.as_u16())),
            _ => {}
        }
        let header = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = header(header::ETAG);
        let last_modified = header(header::LAST_MODIFIED);
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes)
        {
            return Err(FetchError::TooLarge(self.max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| FetchError::Unreachable(without_url(e)))?
        {
            body.extend_from_slice(&chunk);
            if body.len() as u64 > self.max_bytes {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
        }
        let text = String::from_utf8(body).map_err(|_| FetchError::NotText)?;
        Ok(Fetched::Calendar {
            text,
            etag,
            last_modified,
        })
    }
}

/// reqwest's message without the URL (which may carry a secret token in its query).
fn without_url(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
