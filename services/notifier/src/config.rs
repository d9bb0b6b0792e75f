//! The notifier's own settings: the `[email]` section (`PIAZZA_EMAIL__…`) — the sender, how
//! many emails at once and how fast, attempts, and the claims senders hold — with its defaults
//! and checks. Where mail goes (`smtp_url`) is a top-level setting from `piazza_shared::settings`,
//! like everything every service reads ([`Settings`]).

use piazza_shared::settings::{Section, SectionDef, SettingsError};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

piazza_shared::service_settings! {
    /// What the notifier reads: the common settings and its `[email]` section.
    pub struct Settings { email: EmailSettings }
}

/// The sections the notifier owns, for the loader.
pub const SECTIONS: &[SectionDef] = &[SectionDef::of::<EmailSettings>()];

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

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            from: "Piazza <noreply@piazza.localhost>".into(),
            concurrency: 20,
            rate_per_second: 0,
            max_attempts: 8,
            lease_seconds: 10,
            heartbeat_seconds: 2,
        }
    }
}

impl Section for EmailSettings {
    const KEY: &'static str = "email";

    fn validate(&self) -> Result<(), SettingsError> {
        if self.concurrency == 0 {
            return Err(SettingsError::new(
                "email.concurrency",
                "must be at least 1",
            ));
        }
        if self.max_attempts == 0 {
            return Err(SettingsError::new(
                "email.max_attempts",
                "must be at least 1",
            ));
        }
        if self.heartbeat_seconds == 0 {
            return Err(SettingsError::new(
                "email.heartbeat_seconds",
                "must be at least 1",
            ));
        }
        if self.lease_seconds < 2 * self.heartbeat_seconds {
            return Err(SettingsError::new(
                "email.lease_seconds",
                "must be at least twice email.heartbeat_seconds, so one late heartbeat loses nothing",
            ));
        }
        lettre::message::Mailbox::from_str(&self.from)
            .map_err(|e| SettingsError::new("email.from", format!("not a mailbox: {e}")))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_shared::settings::Settings as Loaded;

    #[test]
    fn the_sender_must_be_a_mailbox_and_the_lease_outlast_two_heartbeats() {
        let settings = Loaded::from_toml("", SECTIONS).unwrap();
        assert_eq!(settings.section::<EmailSettings>().unwrap().concurrency, 20);
        let error = Loaded::from_toml("[email]\nfrom = \"not an address\"", SECTIONS).unwrap_err();
        assert_eq!(error.key, "email.from");
        let error = Loaded::from_toml(
            "[email]\nlease_seconds = 3\nheartbeat_seconds = 2",
            SECTIONS,
        )
        .unwrap_err();
        assert_eq!(error.key, "email.lease_seconds");
    }
}
