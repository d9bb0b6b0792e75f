//! The booking service's own settings: the `[booking]` section (`PIAZZA_BOOKING__…`), its
//! defaults and its checks. What every service reads comes through [`Settings`] from
//! `piazza_shared::settings`.

use piazza_shared::settings::{Section, SectionDef, SettingsError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

piazza_shared::service_settings! {
    /// What the booking service reads: the common settings and its `[booking]` section.
    pub struct Settings { booking: BookingSettings }
}

/// The sections the booking service owns, for the loader.
pub const SECTIONS: &[SectionDef] = &[SectionDef::of::<BookingSettings>()];

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

impl Default for BookingSettings {
    fn default() -> Self {
        Self {
            max_occurrences: 200,
            quotas: BTreeMap::new(),
        }
    }
}

impl Section for BookingSettings {
    const KEY: &'static str = "booking";

    fn validate(&self) -> Result<(), SettingsError> {
        if self.max_occurrences == 0 {
            return Err(SettingsError::new(
                "booking.max_occurrences",
                "must be at least 1",
            ));
        }
        for (kind, quota) in &self.quotas {
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
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use piazza_shared::settings::Settings as Loaded;

    #[test]
    fn quotas_are_read_per_space_kind_and_checked() {
        let settings = Loaded::from_toml(
            "[booking.quotas.hall]\nhours_per_week = 10\nhours_per_month = 30",
            SECTIONS,
        )
        .unwrap();
        let booking = settings.section::<BookingSettings>().unwrap();
        assert_eq!(booking.quotas["hall"].hours_per_week, Some(10.0));
        assert_eq!(booking.max_occurrences, 200);
        let error = Loaded::from_toml("[booking.quotas.ballroom]\nhours_per_week = 1", SECTIONS)
            .unwrap_err();
        assert_eq!(error.key, "booking.quotas.ballroom");
        let error =
            Loaded::from_toml("[booking.quotas.lab]\nhours_per_month = 0", SECTIONS).unwrap_err();
        assert_eq!(error.key, "booking.quotas.lab.hours_per_month");
    }
}
