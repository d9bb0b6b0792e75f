//! The services' own settings sections, reachable from the loaded settings a test adjusts:
//! `.settings(|s| s.scheduler().jobs_enabled = false)`.

use piazza_booking::config::BookingSettings;
use piazza_monitoring::config::MonitoringSettings;
use piazza_notifier::config::EmailSettings;
use piazza_scheduler::config::SchedulerSettings;
use piazza_shared::settings::Settings;

/// Each service's section of [`Settings`], to change before the application is built.
pub trait ServiceSections {
    /// `[booking]`.
    fn booking(&mut self) -> &mut BookingSettings;
    /// `[scheduler]`.
    fn scheduler(&mut self) -> &mut SchedulerSettings;
    /// `[email]` (the notifier's).
    fn email(&mut self) -> &mut EmailSettings;
    /// `[monitoring]`.
    fn monitoring(&mut self) -> &mut MonitoringSettings;
}

impl ServiceSections for Settings {
    fn booking(&mut self) -> &mut BookingSettings {
        self.section_mut()
    }

    fn scheduler(&mut self) -> &mut SchedulerSettings {
        self.section_mut()
    }

    fn email(&mut self) -> &mut EmailSettings {
        self.section_mut()
    }

    fn monitoring(&mut self) -> &mut MonitoringSettings {
        self.section_mut()
    }
}
