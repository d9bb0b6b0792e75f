//! The monitoring's own settings: the `[monitoring]` section (`PIAZZA_MONITORING__…`). Everything
//! else it reads (time zone, database, bus) is common to every service
//! (`piazza_shared::settings`).

use piazza_shared::settings::{Section, SectionDef, SettingsError};
use serde::{Deserialize, Serialize};

piazza_shared::service_settings! {
    /// What the monitoring reads: the common settings and its `[monitoring]` section.
    pub struct Settings { monitoring: MonitoringSettings }
}

/// The sections the monitoring owns, for the loader.
pub const SECTIONS: &[SectionDef] = &[SectionDef::of::<MonitoringSettings>()];

/// The monitoring's read model.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSettings {
    /// On start, when it holds no fact at all (a new installation, or the first start after the
    /// upgrade that added the monitoring), ask the other services to send what they hold
    /// (`piazza.resync.requested`). Default true.
    pub resync_on_start: bool,
}

impl Default for MonitoringSettings {
    fn default() -> Self {
        Self {
            resync_on_start: true,
        }
    }
}

impl Section for MonitoringSettings {
    const KEY: &'static str = "monitoring";

    fn validate(&self) -> Result<(), SettingsError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_shared::settings::Settings as Loaded;

    #[test]
    fn the_resync_on_start_is_on_unless_turned_off() {
        let settings = Loaded::from_toml("", SECTIONS).unwrap();
        assert!(
            settings
                .section::<MonitoringSettings>()
                .unwrap()
                .resync_on_start
        );
        let settings =
            Loaded::from_toml("[monitoring]\nresync_on_start = false", SECTIONS).unwrap();
        assert!(
            !settings
                .section::<MonitoringSettings>()
                .unwrap()
                .resync_on_start
        );
    }
}
