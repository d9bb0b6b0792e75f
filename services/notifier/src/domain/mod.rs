//! The notifier's vocabulary, without I/O: how often people hear from us, where subscriptions,
//! emails, registrations and events stand, what kinds of email exist, who may subscribe and who
//! hears of an event. Statuses are stored as their snake_case names
//! ([`piazza_shared::persisted_enum!`]) and compared as enums.

mod matching;

pub use matching::{matches, takes_place_in};

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

piazza_shared::persisted_enum!(Frequency {
    Instant => "instant",
    Weekly => "weekly",
});

/// Where a subscription stands: asked for, confirmed by the emailed link, or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriberStatus {
    /// Not confirmed yet: only the confirmation email goes out.
    Pending,
    Active,
    Unsubscribed,
}

piazza_shared::persisted_enum!(SubscriberStatus {
    Pending => "pending",
    Active => "active",
    Unsubscribed => "unsubscribed",
});

/// What the consent log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentAction {
    Subscribed,
    Confirmed,
    /// A guardian consented for someone under 14.
    GuardianConfirmed,
    PreferencesChanged,
    Unsubscribed,
}

piazza_shared::persisted_enum!(ConsentAction {
    Subscribed => "subscribed",
    Confirmed => "confirmed",
    GuardianConfirmed => "guardian_confirmed",
    PreferencesChanged => "preferences_changed",
    Unsubscribed => "unsubscribed",
});

/// Where one email is on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its time (`next_attempt_at`).
    Pending,
    /// Claimed by one sender (`sender_id`), which may be sending it now.
    Sending,
    Sent,
    /// Given up after a permanent refusal or too many attempts.
    Failed,
    /// No longer to go out (unsubscribed, event called off, old news).
    Cancelled,
    /// The connection broke after the email's content went out: the server may have accepted
    /// it, so it is never resent by itself (see `unknown`).
    Unknown,
}

piazza_shared::persisted_enum!(DeliveryState {
    Pending => "pending",
    Sending => "sending",
    Sent => "sent",
    Failed => "failed",
    Cancelled => "cancelled",
    Unknown => "unknown",
});

/// The notifier's copy of a registration's state; it only moves forward, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegistrationStatus {
    Waitlisted,
    Confirmed,
    Cancelled,
}

piazza_shared::persisted_enum!(RegistrationStatus {
    Waitlisted => "waitlisted",
    Confirmed => "confirmed",
    Cancelled => "cancelled",
});

/// The notifier's copy of an event: published, or cancelled whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Published,
    Cancelled,
}

piazza_shared::persisted_enum!(EventStatus {
    Published => "published",
    Cancelled => "cancelled",
});

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
    /// A link to set an account's password (an invitation or a reset).
    PasswordLink,
    /// To an administrator: an operator asked for a space (the subject is the booking or its
    /// series).
    BookingRequestNotice,
    /// To an administrator: an operator sent a proposal to a call.
    ProposalNotice,
    /// To an operator: a call was opened in its organisation's field.
    CallNotice,
    /// To the author of an idea sent without an account: the link that verifies it (the subject
    /// is the idea).
    IdeaVerification,
    /// To the author of an idea: what staff decided (the subject is the idea: one email per
    /// idea, as an idea is decided once).
    IdeaOutcome,
}

piazza_shared::persisted_enum!(Kind {
    ConfirmSubscription => "confirm_subscription",
    EventPublished => "event_published",
    EventRescheduled => "event_rescheduled",
    EventCancelled => "event_cancelled",
    WeeklyDigest => "weekly_digest",
    RegistrationConfirmed => "registration_confirmed",
    RegistrationWaitlisted => "registration_waitlisted",
    RegistrationPromoted => "registration_promoted",
    Reminder => "reminder",
    BookingApproved => "booking_approved",
    BookingRejected => "booking_rejected",
    BookingCancelled => "booking_cancelled",
    PasswordLink => "password_link",
    BookingRequestNotice => "booking_request_notice",
    ProposalNotice => "proposal_notice",
    CallNotice => "call_notice",
    IdeaVerification => "idea_verification",
    IdeaOutcome => "idea_outcome",
});

impl Kind {
    /// Emails that reach young people about events (what the outreach report counts as
    /// reaching someone): not confirmations of a subscription, not operators' bookings.
    pub fn reaches_young_people(self) -> bool {
        !matches!(
            self,
            Kind::ConfirmSubscription
                | Kind::BookingApproved
                | Kind::BookingRejected
                | Kind::BookingCancelled
                | Kind::PasswordLink
                | Kind::BookingRequestNotice
                | Kind::ProposalNotice
                | Kind::CallNotice
                | Kind::IdeaVerification
                | Kind::IdeaOutcome
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
