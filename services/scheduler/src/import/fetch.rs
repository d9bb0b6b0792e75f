//! Fetching an external calendar with a conditional request (RFC 9110 §13): the validators of the
//! last full answer go back as If-None-Match and If-Modified-Since, and a 304 means nothing
//! changed. Answers are read up to a size limit, the whole fetch within a time limit.
//!
//! Every hop is checked before anything is sent: its host is resolved once, and unless an
//! administrator allowed the host (`scheduler.import_allowed_hosts`) every address must be a
//! public one (see [`super::address`]). The connection is then made to exactly the addresses that
//! were checked — the client is told them, so it never asks DNS again and a second, different
//! answer (DNS rebinding) cannot swap them. Redirects are followed here, not by the client, so
//! each new host is checked the same way, at most [`MAX_REDIRECTS`] times. No proxy from the
//! environment is used: a proxy would resolve the name itself.

use super::address;
use futures::future::BoxFuture;
use reqwest::{StatusCode, header};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};
use url::{Host, Url};

/// Redirects followed before a fetch gives up.
pub const MAX_REDIRECTS: usize = 5;

/// A fetch that did not give a calendar.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("could not reach it: {0}")]
    Unreachable(String),
    #[error(
        "refused: {host} is {address}, a {kind} address inside the network (an administrator \
         may allow the host with the setting scheduler.import_allowed_hosts)"
    )]
    Refused {
        host: String,
        address: IpAddr,
        kind: &'static str,
    },
    #[error("it redirects more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
    #[error("it redirects to {0}, which is not an http:// or https:// address")]
    BadRedirect(String),
    #[error("it answered HTTP {0}")]
    Status(u16),
    #[error("it is larger than {0} bytes")]
    TooLarge(u64),
    #[error("it is not UTF-8 text")]
    NotText,
    #[error("timed out")]
    TimedOut,
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

/// Looks up the addresses of a host name. The system's resolver in production; a test gives
/// its own to play a DNS server whose answers change.
pub trait Resolve: Send + Sync + std::fmt::Debug {
    fn lookup(&self, host: &str, port: u16)
    -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>>;
}

/// The system's resolver (`getaddrinfo`, through tokio).
#[derive(Debug)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn lookup(
        &self,
        host: &str,
        port: u16,
    ) -> BoxFuture<'static, std::io::Result<Vec<SocketAddr>>> {
        let host = host.to_string();
        Box::pin(async move { Ok(tokio::net::lookup_host((host, port)).await?.collect()) })
    }
}

/// Hosts an administrator allowed to be inside the network: `name`, `name:port`, an IP address,
/// or `[IPv6]:port`, compared without case.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts(Vec<(String, Option<u16>)>);

impl AllowedHosts {
    /// From the setting's entries (checked at start-up by the settings).
    pub fn new(entries: &[String]) -> Self {
        Self(entries.iter().filter_map(|e| parse_allowed(e)).collect())
    }

    fn allows(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let port = url.port_or_known_default();
        self.0
            .iter()
            .any(|(name, p)| *name == host && p.is_none_or(|p| Some(p) == port))
    }
}

/// Refuses at once a URL whose host is an IP address inside the network (and not allowed):
/// there is nothing to resolve, so the answer cannot change until it is fetched.
pub fn check_literal(allowed: &AllowedHosts, url: &Url) -> Result<(), FetchError> {
    let ip: IpAddr = match url.host() {
        Some(Host::Ipv4(ip)) => ip.into(),
        Some(Host::Ipv6(ip)) => ip.into(),
        _ => return Ok(()),
    };
    match address::inside(ip) {
        Some(kind) if !allowed.allows(url) => Err(FetchError::Refused {
            host: url.host_str().unwrap_or_default().to_string(),
            address: ip.to_canonical(),
            kind,
        }),
        _ => Ok(()),
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address, as `(host as URLs write
/// it, port)`; `None` when it is none of these.
pub fn parse_allowed(entry: &str) -> Option<(String, Option<u16>)> {
    let entry = entry.trim();
    if entry.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some((format!("[{}]", entry.to_ascii_lowercase()), None));
    }
    let url = Url::parse(&format!("http://{entry}/")).ok()?;
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    let plain = url.path() == "/" && url.username().is_empty() && url.query().is_none();
    // Read from the text: a URL forgets a port that is its scheme's default (`:80`).
    let port = entry
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok());
    (plain && !host.is_empty()).then_some((host, port))
}

/// An HTTP client for imports, built once.
#[derive(Debug, Clone)]
pub struct Fetcher {
    timeout: Duration,
    max_bytes: u64,
    allowed: AllowedHosts,
    resolver: Arc<dyn Resolve>,
}

impl Fetcher {
    pub fn new(timeout: Duration, max_bytes: u64, allowed: AllowedHosts) -> anyhow::Result<Self> {
        Self::with_resolver(timeout, max_bytes, allowed, Arc::new(SystemResolver))
    }

    /// A fetcher that looks names up with `resolver`.
    pub fn with_resolver(
        timeout: Duration,
        max_bytes: u64,
        allowed: AllowedHosts,
        resolver: Arc<dyn Resolve>,
    ) -> anyhow::Result<Self> {
        let fetcher = Self {
            timeout,
            max_bytes,
            allowed,
            resolver,
        };
        // Built once here so a broken TLS setup stops the start, not a job.
        fetcher.client(None)?;
        Ok(fetcher)
    }

    /// A client that connects to `pinned`'s addresses for its name, and follows no redirect.
    fn client(&self, pinned: Option<(&str, &[SocketAddr])>) -> reqwest::Result<reqwest::Client> {
        let mut builder = piazza_shared::tls::client_builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!(
                "Piazza/",
                env!("CARGO_PKG_VERSION"),
                " (calendar import)"
            ));
        if let Some((name, addresses)) = pinned {
            builder = builder.resolve_to_addrs(name, addresses);
        }
        builder.build()
    }

    /// The addresses `url`'s host may be reached at: resolved once, and each one public unless
    /// the host is allowed.
    async fn addresses(&self, url: &Url) -> Result<Vec<SocketAddr>, FetchError> {
        let port = url.port_or_known_default().unwrap_or(80);
        let addresses = match url.host() {
            Some(Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
            Some(Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
            Some(Host::Domain(name)) => {
                self.resolver.lookup(name, port).await.map_err(|e| {
                    FetchError::Unreachable(format!("{name} cannot be resolved: {e}"))
                })?
            }
            None => return Err(FetchError::Unreachable("the address has no host".into())),
        };
        if addresses.is_empty() {
            return Err(FetchError::Unreachable("its host has no address".into()));
        }
        if !self.allowed.allows(url) {
            for address in &addresses {
                if let Some(kind) = address::inside(address.ip()) {
                    return Err(FetchError::Refused {
                        host: url.host_str().unwrap_or_default().to_string(),
                        address: address.ip().to_canonical(),
                        kind,
                    });
                }
            }
        }
        Ok(addresses)
    }

    /// GETs `url`, sending the validators of the last full answer, following redirects.
    pub async fn fetch(
        &self,
        url: &str,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        let url = Url::parse(url).map_err(|e| FetchError::Unreachable(e.to_string()))?;
        tokio::time::timeout(self.timeout, self.follow(url, etag, last_modified))
            .await
            .unwrap_or(Err(FetchError::TimedOut))
    }

    async fn follow(
        &self,
        mut url: Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Result<Fetched, FetchError> {
        for _ in 0..=MAX_REDIRECTS {
            if !matches!(url.scheme(), "http" | "https") {
                return Err(FetchError::BadRedirect(url.scheme().to_string() + ":"));
            }
            let addresses = self.addresses(&url).await?;
            let name = match url.host() {
                Some(Host::Domain(name)) => Some(name.to_string()),
                _ => None,
            };
            let client = self
                .client(name.as_deref().map(|n| (n, addresses.as_slice())))
                .map_err(|e| FetchError::Unreachable(without_url(e)))?;
            let mut request = client
                .get(url.clone())
                .header(header::ACCEPT, "text/calendar, text/plain;q=0.5, */*;q=0.1");
            if let Some(etag) = etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(at) = last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, at);
            }
            let response = request
                .send()
                .await
                .map_err(|e| FetchError::Unreachable(without_url(e)))?;
            if response.status().is_redirection() && response.status() != StatusCode::NOT_MODIFIED {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or(FetchError::Status(response.status().as_u16()))?;
                url = url
                    .join(location)
                    .map_err(|_| FetchError::BadRedirect("an address that is not a URL".into()))?;
                continue;
            }
            return self.read(response).await;
        }
        Err(FetchError::TooManyRedirects)
    }

    /// The calendar of a final answer, up to the size limit.
    async fn read(&self, mut response: reqwest::Response) -> Result<Fetched, FetchError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts_are_read_as_urls_write_them() {
        assert_eq!(
            parse_allowed("Calendar.Example.org"),
            Some(("calendar.example.org".into(), None))
        );
        assert_eq!(
            parse_allowed("127.0.0.1:8081"),
            Some(("127.0.0.1".into(), Some(8081)))
        );
        assert_eq!(parse_allowed("::1"), Some(("[::1]".into(), None)));
        assert_eq!(parse_allowed("[::1]:80"), Some(("[::1]".into(), Some(80))));
        assert_eq!(parse_allowed("http://x/"), None);
        assert_eq!(parse_allowed("x/path"), None);
        assert_eq!(parse_allowed(""), None);
    }

    #[test]
    fn an_allowed_host_matches_its_port_when_it_names_one() {
        let allowed = AllowedHosts::new(&["127.0.0.1:8081".into(), "feeds.local".into()]);
        let url = |u: &str| Url::parse(u).unwrap();
        assert!(allowed.allows(&url("http://127.0.0.1:8081/x.ics")));
        assert!(!allowed.allows(&url("http://127.0.0.1:8082/x.ics")));
        assert!(allowed.allows(&url("https://FEEDS.local./x.ics")));
        assert!(!allowed.allows(&url("http://localhost:8081/x.ics")));
    }
}
