//! Typed, layered settings: built-in defaults, then an optional `piazza.toml`, then `PIAZZA_*`
//! environment variables (nested keys with `__`, e.g. `PIAZZA_BUS__PREFETCH`). Everything is
//! checked once at start-up and a bad value is reported with the name of its setting.

use crate::secret::Secret;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, str::FromStr};
use url::Url;

/// A setting that failed validation, named as a user writes it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting `{key}` (env PIAZZA_{env}): {message}")]
pub struct SettingsError {
    pub key: String,
    pub env: String,
    pub message: String,
}

impl SettingsError {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_string(),
            env: key.replace('.', "__").to_uppercase(),
            message: message.into(),
        }
    }
}

/// All of Piazza's settings. Every field has a default that suits the embedded mode.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address of the HTTP listener. Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// Folder for SQLite files, the `.eml` outbox and generated secrets. Default `./data`.
    pub data_dir: PathBuf,
    /// `postgres://…`; unset means one SQLite file per service in `data_dir`.
    pub database_url: Option<Secret<String>>,
    /// Prefix of each service's PostgreSQL schema (`<prefix>booking`, …). Default empty.
    pub database_schema_prefix: String,
    /// Maximum connections in each service's database pool. Default 10.
    pub database_max_connections: u32,
    /// `amqp://…`; unset means the in-process bus (only for all services in one process).
    pub amqp_url: Option<Secret<String>>,
    /// `smtp://host:port` or `smtps://…`; unset means `.eml` files in `<data_dir>/outbox`.
    pub smtp_url: Option<Secret<String>>,
    /// Base of links in emails. Default `http://<listen>`.
    pub public_url: Option<Url>,
    /// IANA zone for jobs, date-only filters and defaults. Default `Europe/Rome`.
    pub time_zone: Tz,
    /// Key that signs API tokens and email links (at least 32 characters). Unset in the embedded
    /// mode means a key generated once into `<data_dir>/secret.key`; required by `serve`.
    pub secret_key: Option<Secret<String>>,
    /// Keys signed with before a rotation: still accepted, never used to sign.
    pub previous_secret_keys: Vec<Secret<String>>,
    /// A token monitoring sends (`Authorization: Bearer <token>`) to read why a `/readyz` check
    /// failed; administrators' tokens do too. At least 32 characters. Default none.
    pub ops_token: Option<Secret<String>>,
    /// Apply pending migrations when a service starts. Default true.
    pub migrate_on_start: bool,
    /// `text` or `json` log lines. Default `text`.
    pub log_format: LogFormat,
    /// Starts the application's clock at this instant (RFC 3339) instead of the system's; it
    /// advances in real time from there. For tests, demos and rehearsals of a season (never in
    /// production): applied by the `piazza` binary at start. Default unset (the system clock).
    pub clock_start: Option<DateTime<Utc>>,
    pub bus: BusSettings,
    pub auth: AuthSettings,
    pub email: EmailSettings,
    pub scheduler: SchedulerSettings,
    pub booking: BookingSettings,
    pub http: HttpSettings,
    pub limits: LimitSettings,
}

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

/// Outgoing email.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// Sender of every email. Default `Piazza <noreply@piazza.localhost>`.
    pub from: String,
    /// Emails in flight at once (and pooled SMTP connections). Default 20.
    pub concurrency: u32,
    /// Highest send rate in emails per second; 0 means no limit. Default 0.
    pub rate_per_second: u32,
    /// Attempts for a temporary SMTP failure (a 4xx answer) before giving up; a server that does
    /// not answer at all costs no attempt. Default 8.
    pub max_attempts: u32,
    /// How long the emails a sender has claimed stay its own after its last heartbeat, in
    /// seconds: another sender takes over the claims of one silent for this long. Default 10.
    pub lease_seconds: u32,
    /// How often a sender renews its claims (and looks for silent senders), in seconds; at most
    /// half of `lease_seconds`. Default 2.
    pub heartbeat_seconds: u32,
}

/// Scheduler: jobs and the slot saga.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulerSettings {
    /// How long an event waits for booking to answer a slot request, in seconds. Default 60.
    pub slot_timeout_seconds: u64,
    /// Cron (six fields, with seconds) for the weekly digest. Default `0 0 9 * * Mon`.
    pub digest_cron: String,
    /// Cron for looking for occurrences that need a reminder. Default every five minutes.
    pub reminder_cron: String,
    /// Hours before an occurrence that its reminder goes out. Default 24.
    pub reminder_lead_hours: u32,
    /// Cron for marking past events completed. Default `0 30 3 * * *`.
    pub complete_cron: String,
    /// Cron for fetching the external calendars seasons import. Default hourly, `0 0 * * * *`.
    pub import_cron: String,
    /// Run the time-based jobs in this process. Replicas may all run them: each firing is
    /// claimed by one. Turn off to drive them elsewhere. Default true.
    pub jobs_enabled: bool,
    /// Most occurrences one event may have. Default 500.
    pub max_occurrences: u32,
    /// Minutes before an event (or a pathway) starts that its registrations close, unless the
    /// event says otherwise. Default 60.
    pub registration_closes_minutes: u32,
    /// Longest wait for an imported calendar to answer, in seconds. Default 30.
    pub import_timeout_seconds: u64,
    /// Largest imported calendar accepted, in bytes. Default 5000000.
    pub import_max_bytes: u64,
    /// Hosts an imported calendar (or a redirect from one) may be fetched from although they
    /// are inside the network (loopback, private, link-local…): `name`, `name:port`, an IP
    /// address or `[IPv6]:port`. Every other host must resolve to public addresses only.
    /// Default none.
    pub import_allowed_hosts: Vec<String>,
}

/// Booking rules.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BookingSettings {
    /// Most occurrences a recurring request may expand to. Default 200.
    pub max_occurrences: u32,
    /// Hours an organisation may hold per week and per month, by space kind (`room`, `hall`,
    /// `courtyard`, `square`, `lab`, `other`), e.g. `[booking.quotas.hall] hours_per_week = 10`.
    /// Weeks (Monday to Sunday) and months are read in `time_zone`. Kinds not listed have no
    /// quota. Default none.
    #[serde(default)]
    pub quotas: BTreeMap<String, Quota>,
}

/// The space kinds a quota may name (the booking service's catalogue kinds).
pub const SPACE_KINDS: [&str; 6] = ["room", "hall", "courtyard", "square", "lab", "other"];

/// Limits on the hours one organisation's requested and approved bookings hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// Hours per week (Monday 00:00 to Monday 00:00); unset means no weekly limit.
    #[serde(default)]
    pub hours_per_week: Option<f64>,
    /// Hours per calendar month; unset means no monthly limit.
    #[serde(default)]
    pub hours_per_month: Option<f64>,
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

/// The defaults, as one serialisable layer under the file and environment.
#[derive(Serialize)]
struct Defaults {
    listen: String,
    data_dir: String,
    database_schema_prefix: String,
    database_max_connections: u32,
    time_zone: String,
    previous_secret_keys: Vec<String>,
    migrate_on_start: bool,
    log_format: LogFormat,
    bus: BusSettings,
    auth: AuthSettings,
    email: EmailSettings,
    scheduler: SchedulerSettings,
    booking: BookingSettings,
    http: HttpSettings,
    limits: LimitSettings,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: "./data".into(),
            database_schema_prefix: String::new(),
            database_max_connections: 10,
            time_zone: "Europe/Rome".into(),
            previous_secret_keys: Vec::new(),
            migrate_on_start: true,
            log_format: LogFormat::Text,
            bus: BusSettings {
                namespace: "piazza".into(),
                queue_prefix: String::new(),
                prefetch: 32,
                max_attempts: 5,
                retry_delay_ms: 2000,
                outbox_poll_ms: 1000,
                inbox_retention_days: 7,
            },
            auth: AuthSettings {
                token_ttl_minutes: 480,
                link_ttl_days: 60,
                revocation_poll_ms: 1000,
            },
            email: EmailSettings {
                from: "Piazza <noreply@piazza.localhost>".into(),
                concurrency: 20,
                rate_per_second: 0,
                max_attempts: 8,
                lease_seconds: 10,
                heartbeat_seconds: 2,
            },
            scheduler: SchedulerSettings {
                slot_timeout_seconds: 60,
                digest_cron: "0 0 9 * * Mon".into(),
                reminder_cron: "0 */5 * * * *".into(),
                reminder_lead_hours: 24,
                complete_cron: "0 30 3 * * *".into(),
                import_cron: "0 0 * * * *".into(),
                jobs_enabled: true,
                max_occurrences: 500,
                registration_closes_minutes: 60,
                import_timeout_seconds: 30,
                import_max_bytes: 5_000_000,
                import_allowed_hosts: Vec::new(),
            },
            booking: BookingSettings {
                max_occurrences: 200,
                quotas: BTreeMap::new(),
            },
            http: HttpSettings {
                max_body_bytes: 1_048_576,
                request_timeout_seconds: 30,
                cors_allowed_origins: Vec::new(),
                trusted_proxies: 0,
                trust_forwarded_for: None,
            },
            limits: LimitSettings {
                window_seconds: 60,
                login_per_account: 5,
                login_per_address: 20,
                public_per_address: 30,
            },
        }
    }
}

impl Settings {
    /// Loads defaults, then `piazza.toml` (or the file in `PIAZZA_CONFIG`) if it exists, then the
    /// environment, and validates the result.
    pub fn load() -> Result<Self, SettingsError> {
        let file = std::env::var("PIAZZA_CONFIG").unwrap_or_else(|_| "piazza.toml".into());
        let mut figment = Figment::from(Serialized::defaults(Defaults::default()))
            .merge(Toml::file(&file))
            .merge(
                Env::prefixed("PIAZZA_")
                    .ignore(&["CONFIG"])
                    .filter(|key| !crate::env_file::names_a_file(key.as_str()))
                    .split("__")
                    .map(|key| key.as_str().to_lowercase().into()),
            );
        // PIAZZA_<KEY>_FILE: the setting from a file (a mounted secret).
        for (key, value) in crate::env_file::settings_from_files("PIAZZA_", std::env::vars())? {
            figment = figment.merge(Serialized::default(&key, value));
        }
        Self::from_figment(figment)
    }

    /// Settings from defaults and the given TOML text only; for tests and tools.
    pub fn from_toml(text: &str) -> Result<Self, SettingsError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Defaults::default())).merge(Toml::string(text)),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Settings = figment.extract().map_err(|error| {
            let key = error.path.join(".");
            let message = error.kind.to_string();
            SettingsError::new(if key.is_empty() { "(file)" } else { &key }, message)
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot: URL schemes, cron strings, ranges.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(SettingsError::new(
                    "database_url",
                    "must start with postgres:// (leave it unset for SQLite)",
                ));
            }
        }
        if let Some(url) = &self.amqp_url {
            let url = url.expose();
            if !(url.starts_with("amqp://") || url.starts_with("amqps://")) {
                return Err(SettingsError::new(
                    "amqp_url",
                    "must start with amqp:// or amqps://",
                ));
            }
        }
        if let Some(url) = &self.smtp_url {
            let parsed = Url::parse(url.expose())
                .map_err(|e| SettingsError::new("smtp_url", format!("not a URL: {e}")))?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") {
                return Err(SettingsError::new(
                    "smtp_url",
                    "must start with smtp:// or smtps://",
                ));
            }
        }
        if let Some(url) = &self.public_url
            && !matches!(url.scheme(), "http" | "https")
        {
            return Err(SettingsError::new(
                "public_url",
                "must be an http:// or https:// URL",
            ));
        }
        if let Some(key) = &self.secret_key
            && key.expose().len() < 32
        {
            return Err(SettingsError::new(
                "secret_key",
                "must be at least 32 characters",
            ));
        }
        if let Some(token) = &self.ops_token
            && token.expose().len() < 32
        {
            return Err(SettingsError::new(
                "ops_token",
                "must be at least 32 characters",
            ));
        }
        for (i, key) in self.previous_secret_keys.iter().enumerate() {
            if key.expose().len() < 32 {
                return Err(SettingsError::new(
                    "previous_secret_keys",
                    format!("key {i} must be at least 32 characters"),
                ));
            }
        }
        if self.database_max_connections == 0 {
            return Err(SettingsError::new(
                "database_max_connections",
                "must be at least 1",
            ));
        }
        let schema_ok = self
            .database_schema_prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !schema_ok {
            return Err(SettingsError::new(
                "database_schema_prefix",
                "only lowercase letters, digits and _ are allowed",
            ));
        }
        let name_ok = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        if self.bus.namespace.is_empty() || !name_ok(&self.bus.namespace) {
            return Err(SettingsError::new(
                "bus.namespace",
                "must be non-empty: letters, digits, '.', '_' or '-'",
            ));
        }
        if !name_ok(&self.bus.queue_prefix) {
            return Err(SettingsError::new(
                "bus.queue_prefix",
                "only letters, digits, '.', '_' or '-' are allowed",
            ));
        }
        if self.bus.prefetch == 0 {
            return Err(SettingsError::new("bus.prefetch", "must be at least 1"));
        }
        if self.bus.max_attempts == 0 {
            return Err(SettingsError::new("bus.max_attempts", "must be at least 1"));
        }
        if !(1..=3650).contains(&self.bus.inbox_retention_days) {
            return Err(SettingsError::new(
                "bus.inbox_retention_days",
                "must be between 1 and 3650",
            ));
        }
        if self.auth.token_ttl_minutes == 0 {
            return Err(SettingsError::new(
                "auth.token_ttl_minutes",
                "must be at least 1",
            ));
        }
        if !(10..=60_000).contains(&self.auth.revocation_poll_ms) {
            return Err(SettingsError::new(
                "auth.revocation_poll_ms",
                "must be between 10 and 60000",
            ));
        }
        if self.auth.link_ttl_days == 0 {
            return Err(SettingsError::new(
                "auth.link_ttl_days",
                "must be at least 1",
            ));
        }
        if self.email.concurrency == 0 {
            return Err(SettingsError::new(
                "email.concurrency",
                "must be at least 1",
            ));
        }
        if self.email.max_attempts == 0 {
            return Err(SettingsError::new(
                "email.max_attempts",
                "must be at least 1",
            ));
        }
        if self.email.heartbeat_seconds == 0 {
            return Err(SettingsError::new(
                "email.heartbeat_seconds",
                "must be at least 1",
            ));
        }
        if self.email.lease_seconds < 2 * self.email.heartbeat_seconds {
            return Err(SettingsError::new(
                "email.lease_seconds",
                "must be at least twice email.heartbeat_seconds, so one late heartbeat loses nothing",
            ));
        }
        lettre::message::Mailbox::from_str(&self.email.from)
            .map_err(|e| SettingsError::new("email.from", format!("not a mailbox: {e}")))?;
        for (key, expr) in [
            ("scheduler.digest_cron", &self.scheduler.digest_cron),
            ("scheduler.reminder_cron", &self.scheduler.reminder_cron),
            ("scheduler.complete_cron", &self.scheduler.complete_cron),
            ("scheduler.import_cron", &self.scheduler.import_cron),
        ] {
            cron::Schedule::from_str(expr).map_err(|e| {
                SettingsError::new(
                    key,
                    format!(
                        "not a cron expression with seconds (sec min hour day month weekday): {e}"
                    ),
                )
            })?;
        }
        if !(1..=5000).contains(&self.scheduler.max_occurrences) {
            return Err(SettingsError::new(
                "scheduler.max_occurrences",
                "must be between 1 and 5000",
            ));
        }
        if !(1..=24 * 14).contains(&self.scheduler.reminder_lead_hours) {
            return Err(SettingsError::new(
                "scheduler.reminder_lead_hours",
                "must be between 1 and 336 (two weeks)",
            ));
        }
        if self.scheduler.slot_timeout_seconds == 0 {
            return Err(SettingsError::new(
                "scheduler.slot_timeout_seconds",
                "must be at least 1",
            ));
        }
        if !(1..=600).contains(&self.scheduler.import_timeout_seconds) {
            return Err(SettingsError::new(
                "scheduler.import_timeout_seconds",
                "must be between 1 and 600",
            ));
        }
        if self.scheduler.import_max_bytes < 1024 {
            return Err(SettingsError::new(
                "scheduler.import_max_bytes",
                "must be at least 1024",
            ));
        }
        for host in &self.scheduler.import_allowed_hosts {
            if !plain_host(host) {
                return Err(SettingsError::new(
                    "scheduler.import_allowed_hosts",
                    format!(
                        "`{host}` is not a host: write a name, name:port, an IP address or \
                         [IPv6]:port, without scheme or path"
                    ),
                ));
            }
        }
        if self.booking.max_occurrences == 0 {
            return Err(SettingsError::new(
                "booking.max_occurrences",
                "must be at least 1",
            ));
        }
        for (kind, quota) in &self.booking.quotas {
            let key = format!("booking.quotas.{kind}");
            if !SPACE_KINDS.contains(&kind.as_str()) {
                return Err(SettingsError::new(
                    &key,
                    format!("not a space kind (one of {})", SPACE_KINDS.join(", ")),
                ));
            }
            for (name, hours) in [
                ("hours_per_week", quota.hours_per_week),
                ("hours_per_month", quota.hours_per_month),
            ] {
                if let Some(hours) = hours
                    && !(hours.is_finite() && hours > 0.0)
                {
                    return Err(SettingsError::new(
                        &format!("{key}.{name}"),
                        "must be a positive number of hours",
                    ));
                }
            }
        }
        self.validate_http()
    }

    fn validate_http(&self) -> Result<(), SettingsError> {
        if self.http.max_body_bytes < 1024 {
            return Err(SettingsError::new(
                "http.max_body_bytes",
                "must be at least 1024",
            ));
        }
        if !(1..=3600).contains(&self.http.request_timeout_seconds) {
            return Err(SettingsError::new(
                "http.request_timeout_seconds",
                "must be between 1 and 3600",
            ));
        }
        for origin in &self.http.cors_allowed_origins {
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
        if self.http.trust_forwarded_for.is_some() {
            return Err(SettingsError::new(
                "http.trust_forwarded_for",
                "replaced by `http.trusted_proxies`: the number of proxies in front of Piazza that \
                 append to X-Forwarded-For (1 behind deploy/gateway.conf, 0 when clients reach \
                 Piazza directly)",
            ));
        }
        if self.http.trusted_proxies > 10 {
            return Err(SettingsError::new(
                "http.trusted_proxies",
                "must be between 0 and 10",
            ));
        }
        if self.limits.window_seconds == 0 {
            return Err(SettingsError::new(
                "limits.window_seconds",
                "must be at least 1",
            ));
        }
        for (key, value) in [
            ("limits.login_per_account", self.limits.login_per_account),
            ("limits.login_per_address", self.limits.login_per_address),
            ("limits.public_per_address", self.limits.public_per_address),
        ] {
            if value == 0 {
                return Err(SettingsError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }

    /// The base of links in emails.
    pub fn public_url(&self) -> Url {
        match &self.public_url {
            Some(url) => url.clone(),
            None => {
                Url::parse(&format!("http://{}", self.listen)).unwrap_or_else(|_| unreachable_url())
            }
        }
    }

    /// Whether services keep their data in PostgreSQL.
    pub fn uses_postgres(&self) -> bool {
        self.database_url.is_some()
    }
}

/// `name`, `name:port`, an IP address or `[IPv6]:port`: what `import_allowed_hosts` holds.
fn plain_host(entry: &str) -> bool {
    if entry.trim().parse::<std::net::Ipv6Addr>().is_ok() {
        return true;
    }
    Url::parse(&format!("http://{}/", entry.trim())).is_ok_and(|u| {
        u.host_str().is_some_and(|h| !h.is_empty())
            && u.path() == "/"
            && u.username().is_empty()
            && u.query().is_none()
            && u.fragment().is_none()
    })
}

/// A `SocketAddr` always formats into a valid URL authority; this is never reached.
fn unreachable_url() -> Url {
    Url::parse("http://127.0.0.1:8080").unwrap_or_else(|_| unreachable!("constant URL parses"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_the_documented_values() {
        let settings = Settings::from_toml("").unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.time_zone, chrono_tz::Europe::Rome);
        assert_eq!(settings.public_url().as_str(), "http://127.0.0.1:8080/");
        assert!(settings.database_url.is_none());
    }

    #[test]
    fn the_clock_start_is_an_rfc_3339_instant() {
        let settings = Settings::from_toml("clock_start = \"2026-11-30T09:00:00+01:00\"").unwrap();
        assert_eq!(
            settings.clock_start.map(|t| t.to_rfc3339()),
            Some("2026-11-30T08:00:00+00:00".to_string())
        );
        assert!(Settings::from_toml("").unwrap().clock_start.is_none());
        let error = Settings::from_toml("clock_start = \"next monday\"").unwrap_err();
        assert_eq!(error.key, "clock_start");
        let error = Settings::from_toml("[bus]\ninbox_retention_days = 0").unwrap_err();
        assert_eq!(error.key, "bus.inbox_retention_days");
    }

    #[test]
    fn a_bad_cron_names_its_setting() {
        let error = Settings::from_toml("[scheduler]\ndigest_cron = \"every monday\"").unwrap_err();
        assert_eq!(error.key, "scheduler.digest_cron");
        assert_eq!(error.env, "SCHEDULER__DIGEST_CRON");
    }

    #[test]
    fn an_unknown_zone_names_its_setting() {
        let error = Settings::from_toml("time_zone = \"Europe/Cremona\"").unwrap_err();
        assert_eq!(error.key, "time_zone");
    }

    #[test]
    fn quotas_are_read_per_space_kind_and_checked() {
        let settings =
            Settings::from_toml("[booking.quotas.hall]\nhours_per_week = 10\nhours_per_month = 30")
                .unwrap();
        assert_eq!(settings.booking.quotas["hall"].hours_per_week, Some(10.0));
        let error =
            Settings::from_toml("[booking.quotas.ballroom]\nhours_per_week = 1").unwrap_err();
        assert_eq!(error.key, "booking.quotas.ballroom");
        let error = Settings::from_toml("[booking.quotas.lab]\nhours_per_month = 0").unwrap_err();
        assert_eq!(error.key, "booking.quotas.lab.hours_per_month");
    }

    #[test]
    fn a_mysql_url_is_refused() {
        let error = Settings::from_toml("database_url = \"mysql://x\"").unwrap_err();
        assert_eq!(error.key, "database_url");
    }

    #[test]
    fn a_cors_origin_must_be_an_origin_and_limits_must_allow_something() {
        let error = Settings::from_toml("[http]\ncors_allowed_origins = [\"https://x.org/app\"]")
            .unwrap_err();
        assert_eq!(error.key, "http.cors_allowed_origins");
        let fine = Settings::from_toml("[http]\ncors_allowed_origins = [\"https://x.org\"]");
        assert!(fine.is_ok(), "{fine:?}");
        let error = Settings::from_toml("[limits]\nlogin_per_account = 0").unwrap_err();
        assert_eq!(error.key, "limits.login_per_account");
    }

    #[test]
    fn the_old_forwarded_for_switch_names_its_replacement() {
        let error = Settings::from_toml("[http]\ntrust_forwarded_for = true").unwrap_err();
        assert_eq!(error.key, "http.trust_forwarded_for");
        assert!(error.message.contains("trusted_proxies"), "{error}");
        let settings = Settings::from_toml("[http]\ntrusted_proxies = 2").unwrap();
        assert_eq!(settings.http.trusted_proxies, 2);
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let error = Settings::from_toml("listne = \"127.0.0.1:1\"").unwrap_err();
        assert!(error.message.contains("listne"), "{error}");
    }
}
