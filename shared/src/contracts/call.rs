//! `piazza.call.*` and `piazza.proposal.*`: the season's co-design. Administrators open calls for
//! ideas; operators send proposals; administrators accept them (creating draft events) or decline
//! them with a reason. Each step is announced, so the operator can be told.

use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A call for ideas as readers need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallSummary {
    pub call_id: Uuid,
    pub season_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The fields it asks ideas in; operators of organisations working in one of them are told.
    #[serde(default)]
    pub fields: Vec<super::Category>,
}

/// A call for ideas was opened (it takes proposals between `opens_at` and `closes_at`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallOpened {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub call: CallSummary,
}

impl Message for CallOpened {
    const TYPE: &'static str = "piazza.call.opened";
}

/// A proposal as readers need it to write to the operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalSummary {
    pub proposal_id: Uuid,
    pub call_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub organisation: Option<String>,
    /// Where the operator wants to hear about it.
    pub contact_email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalSubmitted {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub proposal: ProposalSummary,
}

impl Message for ProposalSubmitted {
    const TYPE: &'static str = "piazza.proposal.submitted";
}

/// Accepted: the draft events made from it (each asks booking for its space).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalAccepted {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub proposal: ProposalSummary,
    pub event_ids: Vec<Uuid>,
}

impl Message for ProposalAccepted {
    const TYPE: &'static str = "piazza.proposal.accepted";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalDeclined {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub proposal: ProposalSummary,
    pub reason: String,
}

impl Message for ProposalDeclined {
    const TYPE: &'static str = "piazza.proposal.declined";
}
