//! The co-design tables' vocabulary: the kinds of table, of member, and of what a decision led
//! to, each stored as its snake_case name.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A co-design table of the strategy: its minutes are published.
    Codesign,
    /// A table of the social-services network: its minutes stay internal.
    SocialServices,
}

impl TableKind {
    /// Whether people without an administrator's account may read its minutes.
    pub fn minutes_public(self) -> bool {
        self == TableKind::Codesign
    }
}

/// Who a member is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// A partner or stakeholder: an association, cooperative, school, informal group.
    Organisation,
    /// One of the Comune's sectors, by code.
    Sector,
    /// A person invited by name, e.g. a young people's representative.
    Person,
}

/// What a decision led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedTo {
    Call,
    Proposal,
    Event,
    /// A space reactivated.
    Space,
}

/// The role that counts an invited person among the young people's representatives.
pub const YOUTH_REPRESENTATIVE: &str = "youth_representative";

piazza_shared::persisted_enum!(TableKind { Codesign => "codesign", SocialServices => "social_services" });
piazza_shared::persisted_enum!(MemberKind { Organisation => "organisation", Sector => "sector", Person => "person" });
piazza_shared::persisted_enum!(LedTo { Call => "call", Proposal => "proposal", Event => "event", Space => "space" });
