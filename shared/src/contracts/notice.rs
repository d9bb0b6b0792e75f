//! `piazza.notice.issued`: something staff or operators should hear of — a booking request
//! waiting for approval, a proposal sent to a call, a call opened in an organisation's field.
//! Booking, which keeps the accounts, decides who hears (their addresses travel in the message);
//! the notifier writes one email to each of them, once per thing however often it is told.

use super::{
    booking::BookingSummary,
    call::{CallSummary, ProposalSummary},
};
use crate::envelope::Message;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a notice is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "about", rename_all = "snake_case")]
pub enum Notice {
    /// An operator asked for a space (once or as a series): administrators approve it.
    BookingRequested {
        booking: BookingSummary,
        /// The space's name.
        #[serde(default)]
        space: String,
        /// The sectors whose sign-off the request waits for (codes), when sign-off rules matched:
        /// then the notice goes to their members and opens their sign-off queue. Empty in older
        /// messages and when no rule matched.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        signoffs: Vec<String>,
    },
    /// An operator sent a proposal to a call: administrators weigh it.
    ProposalSubmitted { proposal: ProposalSummary },
    /// A call for ideas was opened in fields an operator's organisation works in.
    CallOpened { call: CallSummary },
}

impl Notice {
    /// The thing the notice is about (the booking or its series, the proposal, the call): with
    /// the kind of notice and a recipient, it is what makes an email go out once.
    pub fn subject_id(&self) -> Uuid {
        match self {
            Notice::BookingRequested { booking, .. } => {
                booking.series_id.unwrap_or(booking.booking_id)
            }
            Notice::ProposalSubmitted { proposal } => proposal.proposal_id,
            Notice::CallOpened { call } => call.call_id,
        }
    }
}

/// A notice for `recipients` (email addresses, lower-cased, each once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeIssued {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub recipients: Vec<String>,
    pub notice: Notice,
}

impl Message for NoticeIssued {
    const TYPE: &'static str = "piazza.notice.issued";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::call::CallOpened;

    #[test]
    fn a_call_opened_before_calls_had_fields_reads_with_none() {
        let old = serde_json::json!({
            "version": 1,
            "call": {
                "call_id": "0190a000-0000-7000-8000-000000000001",
                "season_id": "0190a000-0000-7000-8000-000000000002",
                "title": "Idee", "opens_at": "2027-03-01T00:00:00Z",
                "closes_at": "2027-04-01T00:00:00Z"
            }
        });
        let opened: CallOpened = serde_json::from_value(old).unwrap();
        assert!(opened.call.fields.is_empty());
    }

    #[test]
    fn a_notice_names_what_it_is_about_and_reads_back() {
        let notice = NoticeIssued {
            version: 1,
            recipients: vec!["admin@comune.test".into()],
            notice: Notice::CallOpened {
                call: crate::contracts::call::CallSummary {
                    call_id: Uuid::nil(),
                    season_id: Uuid::nil(),
                    title: "Idee".into(),
                    description: String::new(),
                    opens_at: chrono::DateTime::UNIX_EPOCH,
                    closes_at: chrono::DateTime::UNIX_EPOCH,
                    fields: vec![crate::contracts::Category::Music],
                },
            },
        };
        let json = serde_json::to_value(&notice).unwrap();
        assert_eq!(json["notice"]["about"], "call_opened");
        assert_eq!(json["notice"]["call"]["fields"][0], "music");
        let back: NoticeIssued = serde_json::from_value(json).unwrap();
        assert_eq!(back, notice);
        assert_eq!(back.notice.subject_id(), Uuid::nil());
    }
}
