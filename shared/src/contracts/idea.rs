//! `piazza.idea.*`: ideas sent to a call by people without an account (young people, informal
//! groups). The scheduler owns ideas; the notifier writes to their authors. Two kinds of
//! message:
//!
//! - for the notifier, carrying the author's address: the email to verify an idea
//!   ([`IdeaVerificationRequested`]) and what became of it ([`IdeaDecided`]);
//! - for the monitoring, with no personal data at all: an idea received (verified by its author,
//!   [`IdeaReceived`]) and an idea taken up as a proposal ([`IdeaTakenUp`]).

use super::Language;
use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who wrote an idea, as the notifier needs it to write back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeaAuthor {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub language: Language,
}

/// An idea was sent: its author is to get an email with a signed, expiring link that verifies
/// it. The scheduler signs the link and has already counted the email against the public forms'
/// limits; the notifier only writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeaVerificationRequested {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub idea_id: Uuid,
    pub call_id: Uuid,
    pub call_title: String,
    pub title: String,
    pub author: IdeaAuthor,
    /// The page that verifies the idea, its signed token in the query.
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

impl Message for IdeaVerificationRequested {
    const TYPE: &'static str = "piazza.idea.verification_requested";
}

/// What staff decided about an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdeaOutcome {
    /// Taken up: it is now a proposal of the call.
    Accepted,
    /// Declined, with a reason the author reads.
    Declined,
}

/// Staff decided about a verified idea: the author is told, once, in their language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeaDecided {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub idea_id: Uuid,
    pub call_id: Uuid,
    pub call_title: String,
    pub title: String,
    pub author: IdeaAuthor,
    pub outcome: IdeaOutcome,
    /// The proposal it became, when accepted.
    #[serde(default)]
    pub proposal_id: Option<Uuid>,
    /// Why it was declined.
    #[serde(default)]
    pub reason: Option<String>,
}

impl Message for IdeaDecided {
    const TYPE: &'static str = "piazza.idea.decided";
}

/// An idea's author asked to be forgotten: their name and address are gone from the idea, and
/// the notifier forgets them in its records of the idea's emails (and sends none still waiting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeaAuthorErased {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub idea_id: Uuid,
}

impl Message for IdeaAuthorErased {
    const TYPE: &'static str = "piazza.idea.author_erased";
}

/// An idea was verified by its author and reached the staff's queue (counted as received). No
/// personal data: the author's age band and whether an informal group sent it are enough to
/// count young people reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeaReceived {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub idea_id: Uuid,
    pub call_id: Uuid,
    pub season_id: Uuid,
    #[serde(default)]
    pub age_band: Option<String>,
    #[serde(default)]
    pub informal_group: bool,
    pub received_at: DateTime<Utc>,
}

impl Message for IdeaReceived {
    const TYPE: &'static str = "piazza.idea.received";
}

/// An idea was taken up: it became the proposal `proposal_id`. No personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdeaTakenUp {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub idea_id: Uuid,
    pub call_id: Uuid,
    pub season_id: Uuid,
    pub proposal_id: Uuid,
    #[serde(default)]
    pub age_band: Option<String>,
    pub taken_up_at: DateTime<Utc>,
}

impl Message for IdeaTakenUp {
    const TYPE: &'static str = "piazza.idea.taken_up";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monitoring_messages_carry_no_personal_data() {
        let received = IdeaReceived {
            version: 1,
            idea_id: Uuid::now_v7(),
            call_id: Uuid::now_v7(),
            season_id: Uuid::now_v7(),
            age_band: Some("15_19".into()),
            informal_group: true,
            received_at: crate::clock::now(),
        };
        let text = serde_json::to_string(&received).unwrap_or_default();
        assert!(!text.contains("email") && !text.contains("name"));
    }
}
