//! `piazza.registration.*`: a person's place at an event, from the scheduler (which owns
//! registrations and the waitlist) to the notifier (which tells the person).

use super::{Language, event::EventSummary, pathway::AgeBand};
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One person's registration, as the notifier needs it to write to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub registration_id: Uuid,
    pub event_id: Uuid,
    /// The occurrence registered for; `None` for a whole event or pathway taken as a whole.
    #[serde(default)]
    pub occurrence_id: Option<Uuid>,
    /// When that occurrence starts, so an email names the date even if the notifier does not
    /// know the occurrence. Added after version 1 was published: absent in older messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence_starts_at: Option<DateTime<Utc>>,
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub language: Language,
    /// Place in the waitlist (1 is next), while waitlisted.
    #[serde(default)]
    pub waitlist_position: Option<u32>,
    /// A page where the person can cancel this registration (a signed, expiring link), for
    /// emails to carry. Added after version 1 was published: absent in older messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    /// The same confirmation went to this address within the repeat window of the public forms
    /// (`forms.repeat_window_seconds`): keep the registration, send no email. Absent (false) in
    /// older messages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quiet: bool,
    /// The person's age band, when they gave a birth year (kept only as the band), for the
    /// monitoring's young people reached by age. Absent in older messages and when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
}

/// The event a registration is for, and the registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationChange {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub registration: Registration,
    pub event: EventSummary,
}

/// A place was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationConfirmed(pub RegistrationChange);

impl Message for RegistrationConfirmed {
    const TYPE: &'static str = "piazza.registration.confirmed";
}

/// The event was full: the person waits in line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationWaitlisted(pub RegistrationChange);

impl Message for RegistrationWaitlisted {
    const TYPE: &'static str = "piazza.registration.waitlisted";
}

/// A place freed up and went to this person from the waitlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationPromoted(pub RegistrationChange);

impl Message for RegistrationPromoted {
    const TYPE: &'static str = "piazza.registration.promoted";
}

/// The registration was cancelled (by the person or an administrator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegistrationCancelled(pub RegistrationChange);

impl Message for RegistrationCancelled {
    const TYPE: &'static str = "piazza.registration.cancelled";
}
