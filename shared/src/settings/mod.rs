//! Typed, layered settings: built-in defaults, then an optional `piazza.toml`, then `PIAZZA_*`
//! environment variables (nested keys with `__`, e.g. `PIAZZA_BUS__PREFETCH`). Everything is
//! checked once at start-up and a bad value is reported with the name of its setting.
//!
//! This module owns what every service reads (the listener, databases, bus, accounts, HTTP, rate
//! limits, the time zone) and the loading itself; each service owns its own section in its
//! `config.rs` ([`Section`]), which the loader is given ([`SectionDef`]) and layers, reads and
//! checks with the rest.
//!
//! The loader is under 300 lines; the rest of the file is its tests.

mod common;
pub mod env_file;
mod error;
mod sections;
mod service;

pub use common::{
    AuthSettings, BusSettings, FormSettings, HttpSettings, LimitSettings, LogFormat,
    TelemetrySettings,
};
pub use error::SettingsError;
pub use sections::{Section, SectionDef, Sections};

use crate::secret::Secret;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
    value::{Dict, Value},
};
use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::PathBuf};
use url::Url;

/// Piazza's settings: what every service reads, and each service's own section. Every field has
/// a default that suits the embedded mode.
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
    pub http: HttpSettings,
    pub limits: LimitSettings,
    pub forms: FormSettings,
    pub telemetry: TelemetrySettings,
    /// The services' own sections (`[booking]`, `[scheduler]`, `[email]`), each defined,
    /// defaulted and checked in its service's `config.rs`: read them with [`Settings::section`].
    #[serde(skip)]
    pub sections: Sections,
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
    http: HttpSettings,
    limits: LimitSettings,
    forms: FormSettings,
    telemetry: TelemetrySettings,
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
            bus: BusSettings::default(),
            auth: AuthSettings::default(),
            http: HttpSettings::default(),
            limits: LimitSettings::default(),
            forms: FormSettings::default(),
            telemetry: TelemetrySettings::default(),
        }
    }
}

impl Settings {
    /// Loads defaults, then `piazza.toml` (or the file in `PIAZZA_CONFIG`) if it exists, then the
    /// environment, and validates the result; `sections` are the services' own sections (see
    /// `piazza_shared::runtime::sections`).
    pub fn load(sections: &[SectionDef]) -> Result<Self, SettingsError> {
        let file = std::env::var("PIAZZA_CONFIG").unwrap_or_else(|_| "piazza.toml".into());
        let mut figment = defaults(sections).merge(Toml::file(&file)).merge(
            Env::prefixed("PIAZZA_")
                .ignore(&["CONFIG"])
                .filter(|key| !env_file::names_a_file(key.as_str()))
                .split("__")
                .map(|key| key.as_str().to_lowercase().into()),
        );
        // PIAZZA_<KEY>_FILE: the setting from a file (a mounted secret).
        for (key, value) in env_file::settings_from_files("PIAZZA_", std::env::vars())? {
            figment = figment.merge(Serialized::default(&key, value));
        }
        Self::from_figment(figment, sections)
    }

    /// Settings from defaults and the given TOML text only; for tests and tools.
    pub fn from_toml(text: &str, sections: &[SectionDef]) -> Result<Self, SettingsError> {
        Self::from_figment(defaults(sections).merge(Toml::string(text)), sections)
    }

    fn from_figment(figment: Figment, sections: &[SectionDef]) -> Result<Self, SettingsError> {
        let mut layered: Dict = figment
            .extract()
            .map_err(|error| SettingsError::unreadable("", error))?;
        // Each service's section is taken out and read by its own type; what stays is read here,
        // where an unknown key is refused.
        let mut own = Vec::new();
        for section in sections {
            let value = layered
                .remove(section.key)
                .unwrap_or_else(|| Value::from(Dict::new()));
            own.push(section.read(&value)?);
        }
        let mut settings: Settings = Figment::from(Serialized::defaults(layered))
            .extract()
            .map_err(|error| SettingsError::unreadable("", error))?;
        settings.sections = Sections::new(own);
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
        self.bus.validate()?;
        self.auth.validate()?;
        self.sections.validate()?;
        self.http.validate()?;
        self.limits.validate()?;
        self.telemetry.validate()?;
        self.forms.validate()
    }

    /// This service's own section `T`, as loaded.
    pub fn section<T: Section>(&self) -> Result<&T, SettingsError> {
        self.sections.get::<T>().ok_or_else(|| {
            SettingsError::new(
                T::KEY,
                "was not loaded: the program starting this service must pass its sections to \
                 Settings::load",
            )
        })
    }

    /// Section `T` to change, for tests and tools; its defaults when it was not loaded.
    pub fn section_mut<T: Section>(&mut self) -> &mut T {
        self.sections.get_mut::<T>()
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

/// The built-in defaults of every setting, services' sections included: the lowest layer.
fn defaults(sections: &[SectionDef]) -> Figment {
    sections.iter().fold(
        Figment::from(Serialized::defaults(Defaults::default())),
        |figment, section| section.add_defaults(figment),
    )
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
        let settings = Settings::from_toml("", &[]).unwrap();
        assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(settings.time_zone, chrono_tz::Europe::Rome);
        assert_eq!(settings.public_url().as_str(), "http://127.0.0.1:8080/");
        assert!(settings.database_url.is_none());
    }

    #[test]
    fn the_clock_start_is_an_rfc_3339_instant() {
        let settings =
            Settings::from_toml("clock_start = \"2026-11-30T09:00:00+01:00\"", &[]).unwrap();
        assert_eq!(
            settings.clock_start.map(|t| t.to_rfc3339()),
            Some("2026-11-30T08:00:00+00:00".to_string())
        );
        assert!(Settings::from_toml("", &[]).unwrap().clock_start.is_none());
        let error = Settings::from_toml("clock_start = \"next monday\"", &[]).unwrap_err();
        assert_eq!(error.key, "clock_start");
        let error = Settings::from_toml("[bus]\ninbox_retention_days = 0", &[]).unwrap_err();
        assert_eq!(error.key, "bus.inbox_retention_days");
    }

    #[test]
    fn an_unknown_zone_names_its_setting() {
        let error = Settings::from_toml("time_zone = \"Europe/Cremona\"", &[]).unwrap_err();
        assert_eq!(error.key, "time_zone");
    }

    #[test]
    fn a_mysql_url_is_refused() {
        let error = Settings::from_toml("database_url = \"mysql://x\"", &[]).unwrap_err();
        assert_eq!(error.key, "database_url");
    }

    #[test]
    fn a_cors_origin_must_be_an_origin_and_limits_must_allow_something() {
        let error = Settings::from_toml(
            "[http]\ncors_allowed_origins = [\"https://x.org/app\"]",
            &[],
        )
        .unwrap_err();
        assert_eq!(error.key, "http.cors_allowed_origins");
        let fine = Settings::from_toml("[http]\ncors_allowed_origins = [\"https://x.org\"]", &[]);
        assert!(fine.is_ok(), "{fine:?}");
        let error = Settings::from_toml("[limits]\nlogin_per_account = 0", &[]).unwrap_err();
        assert_eq!(error.key, "limits.login_per_account");
    }

    #[test]
    fn the_old_forwarded_for_switch_names_its_replacement() {
        let error = Settings::from_toml("[http]\ntrust_forwarded_for = true", &[]).unwrap_err();
        assert_eq!(error.key, "http.trust_forwarded_for");
        assert!(error.message.contains("trusted_proxies"), "{error}");
        let settings = Settings::from_toml("[http]\ntrusted_proxies = 2", &[]).unwrap();
        assert_eq!(settings.http.trusted_proxies, 2);
    }

    #[test]
    fn the_otlp_endpoint_is_an_http_url_and_traces_go_under_it() {
        let settings = Settings::from_toml("", &[]).unwrap();
        assert_eq!(settings.telemetry.traces_url(), None);
        let settings =
            Settings::from_toml("[telemetry]\notlp_endpoint = \"http://otel:4318\"", &[]).unwrap();
        assert_eq!(
            settings.telemetry.traces_url().as_deref(),
            Some("http://otel:4318/v1/traces")
        );
        let error = Settings::from_toml("[telemetry]\notlp_endpoint = \"grpc://otel:4317\"", &[])
            .unwrap_err();
        assert_eq!(error.key, "telemetry.otlp_endpoint");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let error = Settings::from_toml("listne = \"127.0.0.1:1\"", &[]).unwrap_err();
        assert!(error.message.contains("listne"), "{error}");
    }

    /// A service's section, as its `config.rs` would write it.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Garden {
        flowers: u32,
        name: String,
    }

    impl Default for Garden {
        fn default() -> Self {
            Self {
                flowers: 3,
                name: "rose".into(),
            }
        }
    }

    impl Section for Garden {
        const KEY: &'static str = "garden";

        fn validate(&self) -> Result<(), SettingsError> {
            if self.flowers == 0 {
                return Err(SettingsError::new("garden.flowers", "must be at least 1"));
            }
            Ok(())
        }
    }

    const GARDEN: [SectionDef; 1] = [SectionDef::of::<Garden>()];

    #[test]
    fn a_services_section_is_layered_over_its_defaults_and_checked_with_the_rest() {
        let settings = Settings::from_toml("", &GARDEN).unwrap();
        assert_eq!(settings.section::<Garden>().unwrap().flowers, 3);
        let settings = Settings::from_toml("[garden]\nflowers = 7", &GARDEN).unwrap();
        let garden = settings.section::<Garden>().unwrap();
        assert_eq!((garden.flowers, garden.name.as_str()), (7, "rose"));
        let error = Settings::from_toml("[garden]\nflowers = 0", &GARDEN).unwrap_err();
        assert_eq!(
            (error.key.as_str(), error.env.as_str()),
            ("garden.flowers", "GARDEN__FLOWERS")
        );
        let error = Settings::from_toml("[garden]\nflowers = \"many\"", &GARDEN).unwrap_err();
        assert_eq!(error.key, "garden.flowers");
        let error = Settings::from_toml("[garden]\nweeds = 1", &GARDEN).unwrap_err();
        assert!(error.message.contains("weeds"), "{error}");
    }

    #[test]
    fn a_section_no_service_owns_is_an_unknown_key_and_cannot_be_read() {
        let error = Settings::from_toml("[garden]\nflowers = 1", &[]).unwrap_err();
        assert!(error.message.contains("garden"), "{error}");
        let settings = Settings::from_toml("", &[]).unwrap();
        assert_eq!(settings.section::<Garden>().unwrap_err().key, "garden");
    }

    #[test]
    fn a_section_changed_in_place_is_validated_again() {
        let mut settings = Settings::from_toml("", &GARDEN).unwrap();
        settings.section_mut::<Garden>().flowers = 0;
        assert_eq!(settings.validate().unwrap_err().key, "garden.flowers");
        assert_eq!(settings.clone().section::<Garden>().unwrap().flowers, 0);
    }
}
