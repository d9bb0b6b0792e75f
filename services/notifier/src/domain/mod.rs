//! The notifier's vocabulary: how often people hear from us, and what kinds of email exist.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How often a subscriber wants event emails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// One email per matching event, when it is published.
    Instant,
    /// One digest a week of the coming week's matching events.
    Weekly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Instant => "instant",
            Frequency::Weekly => "weekly",
        }
    }
}

/// The kinds of email; with the subject and recipient they make a delivery's unique key.
///
/// The subject is what the email is about, chosen so that what should be told once is told
/// once: the event for an announcement, the registration for its confirmation, the message that
/// carried a change for a reschedule, a cancellation or a reminder (a second change is news, a
/// redelivered message is not), and the week for a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ConfirmSubscription,
    EventPublished,
    EventRescheduled,
    EventCancelled,
    WeeklyDigest,
    RegistrationConfirmed,
    RegistrationWaitlisted,
    RegistrationPromoted,
    Reminder,
    BookingApproved,
    BookingRejected,
    BookingCancelled,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::ConfirmSubscription,
        Kind::EventPublished,
        Kind::EventRescheduled,
        Kind::EventCancelled,
        Kind::WeeklyDigest,
        Kind::RegistrationConfirmed,
        Kind::RegistrationWaitlisted,
        Kind::RegistrationPromoted,
        Kind::Reminder,
        Kind::BookingApproved,
        Kind::BookingRejected,
        Kind::BookingCancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ConfirmSubscription => "confirm_subscription",
            Kind::EventPublished => "event_published",
            Kind::EventRescheduled => "event_rescheduled",
            Kind::EventCancelled => "event_cancelled",
            Kind::WeeklyDigest => "weekly_digest",
            Kind::RegistrationConfirmed => "registration_confirmed",
            Kind::RegistrationWaitlisted => "registration_waitlisted",
            Kind::RegistrationPromoted => "registration_promoted",
            Kind::Reminder => "reminder",
            Kind::BookingApproved => "booking_approved",
            Kind::BookingRejected => "booking_rejected",
            Kind::BookingCancelled => "booking_cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// Emails that reach young people about events (what the outreach report counts as
    /// reaching someone): not confirmations of a subscription, not operators' bookings.
    pub fn reaches_young_people(self) -> bool {
        !matches!(
            self,
            Kind::ConfirmSubscription
                | Kind::BookingApproved
                | Kind::BookingRejected
                | Kind::BookingCancelled
        )
    }
}

/// Under this age the guardian consents (Italy's age of digital consent).
pub const AGE_OF_CONSENT: i32 = 14;

/// Whether someone born in `birth_year` may be under 14 in `year` (they are if their birthday
/// has not come yet), so a guardian must consent.
pub fn may_be_under_consent_age(birth_year: i32, year: i32) -> bool {
    year - birth_year <= AGE_OF_CONSENT
}

/// Someone's age in `year`, as a range (before and after their birthday).
pub fn age_range(birth_year: i32, year: i32) -> (i32, i32) {
    (year - birth_year - 1, year - birth_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guardian_is_needed_whenever_the_person_may_be_under_fourteen() {
        assert!(may_be_under_consent_age(2013, 2026));
        // Born in 2012: 13 until their birthday in 2026.
        assert!(may_be_under_consent_age(2012, 2026));
        assert!(!may_be_under_consent_age(2011, 2026));
    }
}
