//! The scheduler's own settings: the `[scheduler]` section (`PIAZZA_SCHEDULER__…`) — its jobs'
//! cron strings, the slot saga's timeout, limits on events and imported calendars — with its
//! defaults and checks. What every service reads comes through [`Settings`] from
//! `piazza_shared::settings`.

use piazza_shared::settings::{Section, SectionDef, SettingsError};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use url::Url;

piazza_shared::service_settings! {
    /// What the scheduler reads: the common settings and its `[scheduler]` section.
    pub struct Settings { scheduler: SchedulerSettings }
}

/// The sections the scheduler owns, for the loader.
pub const SECTIONS: &[SectionDef] = &[SectionDef::of::<SchedulerSettings>()];

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

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
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
        }
    }
}

impl Section for SchedulerSettings {
    const KEY: &'static str = "scheduler";

    fn validate(&self) -> Result<(), SettingsError> {
        for (key, expr) in [
            ("scheduler.digest_cron", &self.digest_cron),
            ("scheduler.reminder_cron", &self.reminder_cron),
            ("scheduler.complete_cron", &self.complete_cron),
            ("scheduler.import_cron", &self.import_cron),
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
        if !(1..=5000).contains(&self.max_occurrences) {
            return Err(SettingsError::new(
                "scheduler.max_occurrences",
                "must be between 1 and 5000",
            ));
        }
        if !(1..=24 * 14).contains(&self.reminder_lead_hours) {
            return Err(SettingsError::new(
                "scheduler.reminder_lead_hours",
                "must be between 1 and 336 (two weeks)",
            ));
        }
        if self.slot_timeout_seconds == 0 {
            return Err(SettingsError::new(
                "scheduler.slot_timeout_seconds",
                "must be at least 1",
            ));
        }
        if !(1..=600).contains(&self.import_timeout_seconds) {
            return Err(SettingsError::new(
                "scheduler.import_timeout_seconds",
                "must be between 1 and 600",
            ));
        }
        if self.import_max_bytes < 1024 {
            return Err(SettingsError::new(
                "scheduler.import_max_bytes",
                "must be at least 1024",
            ));
        }
        for host in &self.import_allowed_hosts {
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
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_shared::settings::Settings as Loaded;

    #[test]
    fn a_bad_cron_names_its_setting() {
        let error =
            Loaded::from_toml("[scheduler]\ndigest_cron = \"every monday\"", SECTIONS).unwrap_err();
        assert_eq!(error.key, "scheduler.digest_cron");
        assert_eq!(error.env, "SCHEDULER__DIGEST_CRON");
    }

    #[test]
    fn the_defaults_are_the_documented_ones() {
        let settings = Loaded::from_toml("", SECTIONS).unwrap();
        let own = settings.section::<SchedulerSettings>().unwrap();
        assert_eq!(own.digest_cron, "0 0 9 * * Mon");
        assert_eq!((own.max_occurrences, own.slot_timeout_seconds), (500, 60));
        assert!(own.jobs_enabled);
    }

    #[test]
    fn allowed_import_hosts_are_hosts_without_scheme_or_path() {
        for fine in [
            "calendar.local",
            "calendar.local:8443",
            "10.0.0.5",
            "::1",
            "[::1]:8080",
        ] {
            assert!(plain_host(fine), "{fine}");
        }
        for bad in [
            "https://calendar.local",
            "calendar.local/feed",
            "user@host",
            "",
        ] {
            assert!(!plain_host(bad), "{bad}");
        }
    }
}
