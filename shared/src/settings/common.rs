//! The settings every service reads besides the top-level ones: the bus, accounts and links,
//! the HTTP listener and rate limits — each with its defaults and its checks.

use super::error::SettingsError;
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Message bus settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BusSettings {
    /// Prefix of the exchanges: `<namespace>.events` and `<namespace>.dead`. Default `piazza`.
    pub namespace: String,
    /// Prefix of each service's queue name (`<prefix>booking`, …). Default empty.
    pub queue_prefix: String,
    /// Unacknowledged messages a consumer may hold. Default 32.
    pub prefetch: u16,
    /// Attempts at handling a message before it is parked as a dead letter. Default 5.
    pub max_attempts: u32,
    /// Delay before a failed message is retried, in milliseconds. Default 2000.
    pub retry_delay_ms: u64,
    /// How often the outbox relay looks for rows written by other replicas, in milliseconds.
    /// Rows written by this process are published at once. Default 1000.
    pub outbox_poll_ms: u64,
    /// How long a service remembers the ids of messages it handled (its inbox), in days: a
    /// message delivered again within this time is recognised and skipped. Pruned hourly.
    /// Default 7.
    pub inbox_retention_days: u32,
}

impl Default for BusSettings {
    fn default() -> Self {
        Self {
            namespace: "piazza".into(),
            queue_prefix: String::new(),
            prefetch: 32,
            max_attempts: 5,
            retry_delay_ms: 2000,
            outbox_poll_ms: 1000,
            inbox_retention_days: 7,
        }
    }
}

impl BusSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let name_ok = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        if self.namespace.is_empty() || !name_ok(&self.namespace) {
            return Err(SettingsError::new(
                "bus.namespace",
                "must be non-empty: letters, digits, '.', '_' or '-'",
            ));
        }
        if !name_ok(&self.queue_prefix) {
            return Err(SettingsError::new(
                "bus.queue_prefix",
                "only letters, digits, '.', '_' or '-' are allowed",
            ));
        }
        if self.prefetch == 0 {
            return Err(SettingsError::new("bus.prefetch", "must be at least 1"));
        }
        if self.max_attempts == 0 {
            return Err(SettingsError::new("bus.max_attempts", "must be at least 1"));
        }
        if !(1..=3650).contains(&self.inbox_retention_days) {
            return Err(SettingsError::new(
                "bus.inbox_retention_days",
                "must be between 1 and 3650",
            ));
        }
        Ok(())
    }
}

/// Accounts and signed links.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Lifetime of an API access token, in minutes. Default 480.
    pub token_ttl_minutes: u32,
    /// Lifetime of links in emails (confirm, manage, unsubscribe), in days. Default 60.
    pub link_ttl_days: u32,
    /// How often each service re-reads the sessions ended (logouts, account changes) from its
    /// database, in milliseconds: what other replicas and the command line recorded is refused
    /// from then on. Default 1000.
    pub revocation_poll_ms: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            token_ttl_minutes: 480,
            link_ttl_days: 60,
            revocation_poll_ms: 1000,
        }
    }
}

impl AuthSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.token_ttl_minutes == 0 {
            return Err(SettingsError::new(
                "auth.token_ttl_minutes",
                "must be at least 1",
            ));
        }
        if !(10..=60_000).contains(&self.revocation_poll_ms) {
            return Err(SettingsError::new(
                "auth.revocation_poll_ms",
                "must be between 10 and 60000",
            ));
        }
        if self.link_ttl_days == 0 {
            return Err(SettingsError::new(
                "auth.link_ttl_days",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

/// What every HTTP listener enforces.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Largest request body accepted, in bytes; larger ones get 413. Default 1048576 (1 MiB).
    pub max_body_bytes: u64,
    /// Longest a request may take before it is answered 503, in seconds. Default 30.
    pub request_timeout_seconds: u64,
    /// Origins (`https://example.org`) whose browser scripts may call the API (CORS).
    /// Default none: no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
    /// Proxies in front of Piazza that append the address they were connected from to
    /// `X-Forwarded-For` (1 behind `deploy/gateway.conf`; 2 with a load balancer before it that
    /// appends too). The client's address is the entry that many places from the right; entries
    /// further left are whatever the client wrote. 0: clients reach Piazza directly and the
    /// header is ignored. Default 0.
    pub trusted_proxies: u32,
    /// Replaced by `trusted_proxies`; still read so that a configuration naming it stops with a
    /// message saying so rather than an unknown key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_forwarded_for: Option<bool>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 1_048_576,
            request_timeout_seconds: 30,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: 0,
            trust_forwarded_for: None,
        }
    }
}

impl HttpSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.max_body_bytes < 1024 {
            return Err(SettingsError::new(
                "http.max_body_bytes",
                "must be at least 1024",
            ));
        }
        if !(1..=3600).contains(&self.request_timeout_seconds) {
            return Err(SettingsError::new(
                "http.request_timeout_seconds",
                "must be between 1 and 3600",
            ));
        }
        for origin in &self.cors_allowed_origins {
            let parsed = Url::parse(origin).ok().filter(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.path() == "/"
                    && !origin.ends_with('/')
                    && u.query().is_none()
            });
            if parsed.is_none() {
                return Err(SettingsError::new(
                    "http.cors_allowed_origins",
                    format!("`{origin}` is not an origin like https://example.org"),
                ));
            }
        }
        if self.trust_forwarded_for.is_some() {
            return Err(SettingsError::new(
                "http.trust_forwarded_for",
                "replaced by `http.trusted_proxies`: the number of proxies in front of Piazza that \
                 append to X-Forwarded-For (1 behind deploy/gateway.conf, 0 when clients reach \
                 Piazza directly)",
            ));
        }
        if self.trusted_proxies > 10 {
            return Err(SettingsError::new(
                "http.trusted_proxies",
                "must be between 0 and 10",
            ));
        }
        Ok(())
    }
}

/// Rate limits, counted per process in fixed windows (each replica counts on its own).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Length of a counting window, in seconds. Default 60.
    pub window_seconds: u64,
    /// Failed logins of one account per window before it is refused with 429. Default 5.
    pub login_per_account: u32,
    /// Login attempts from one client address per window. Default 20.
    pub login_per_address: u32,
    /// Requests from one client address per window to each public endpoint that writes
    /// (subscribe, register, unsubscribe, cancel). Default 30.
    pub public_per_address: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            window_seconds: 60,
            login_per_account: 5,
            login_per_address: 20,
            public_per_address: 30,
        }
    }
}

/// The public forms that send an email to the address they are given (subscribe, register): how
/// many confirmations one recipient and one client address may cause, and the challenge the
/// pages' forms carry (see `piazza_shared::confirmations` and `piazza_shared::web::challenge`).
/// Counted in each service's database, so every replica counts together.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormSettings {
    /// Confirmations sent to one address in 24 hours. Default 5.
    pub per_recipient_per_day: u32,
    /// Confirmations caused from one client address in an hour. Default 20.
    pub per_client_per_hour: u32,
    /// Of those, sent from forms posted without JavaScript (no proof of work). Default 5.
    pub noscript_per_client_per_hour: u32,
    /// A second confirmation for the same address and the same thing within this many seconds
    /// is answered as a success but not sent. Default 3600.
    pub repeat_window_seconds: u64,
    /// Leading zero bits the proof of work must find (each bit doubles the work). Default 16.
    pub challenge_bits: u8,
    /// How long a form's challenge may be answered, in seconds. Default 1800.
    pub challenge_lifetime_seconds: u64,
    /// A form posted without a solved challenge (no JavaScript) is taken only this many seconds
    /// after its page was served. Default 3.
    pub noscript_min_seconds: u64,
}

impl Default for FormSettings {
    fn default() -> Self {
        Self {
            per_recipient_per_day: 5,
            per_client_per_hour: 20,
            noscript_per_client_per_hour: 5,
            repeat_window_seconds: 3600,
            challenge_bits: 16,
            challenge_lifetime_seconds: 1800,
            noscript_min_seconds: 3,
        }
    }
}

impl FormSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        for (key, value) in [
            ("forms.per_recipient_per_day", self.per_recipient_per_day),
            ("forms.per_client_per_hour", self.per_client_per_hour),
            (
                "forms.noscript_per_client_per_hour",
                self.noscript_per_client_per_hour,
            ),
        ] {
            if value == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        if self.challenge_bits > 28 {
            return Err(SettingsError::new(
                "forms.challenge_bits",
                "at most 28 (each bit doubles the work a browser does)",
            ));
        }
        if self.challenge_lifetime_seconds <= self.noscript_min_seconds {
            return Err(SettingsError::new(
                "forms.challenge_lifetime_seconds",
                "must be longer than forms.noscript_min_seconds",
            ));
        }
        Ok(())
    }
}

impl LimitSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.window_seconds == 0 {
            return Err(SettingsError::new(
                "limits.window_seconds",
                "must be at least 1",
            ));
        }
        for (key, value) in [
            ("limits.login_per_account", self.login_per_account),
            ("limits.login_per_address", self.login_per_address),
            ("limits.public_per_address", self.public_per_address),
        ] {
            if value == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// Where traces go besides the log.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySettings {
    /// An OpenTelemetry collector's OTLP/HTTP address (`http://otel-collector:4318`): spans of
    /// requests and handled messages are exported to `<endpoint>/v1/traces` (OTLP over
    /// HTTP, JSON bodies). Default unset: nothing is exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otlp_endpoint: Option<Url>,
}

impl TelemetrySettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if let Some(url) = &self.otlp_endpoint
            && !matches!(url.scheme(), "http" | "https")
        {
            return Err(SettingsError::new(
                "telemetry.otlp_endpoint",
                "must be an http:// or https:// URL (OTLP over HTTP, port 4318 by default)",
            ));
        }
        Ok(())
    }

    /// The traces URL: the endpoint with `/v1/traces`, unless it names it already.
    pub fn traces_url(&self) -> Option<String> {
        let url = self.otlp_endpoint.as_ref()?;
        let base = url.as_str().trim_end_matches('/');
        Some(if base.ends_with("/v1/traces") {
            base.to_string()
        } else {
            format!("{base}/v1/traces")
        })
    }
}
