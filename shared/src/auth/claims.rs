//! What a signed token says about its holder: the account, its role and organisation, and the
//! session it belongs to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The purpose API tokens are signed for.
pub const API_TOKEN: &str = "api";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The Comune's staff: everything.
    Admin,
    /// A cultural operator, acting for one organisation.
    Operator,
    /// External monitoring: aggregates only.
    Evaluator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Evaluator => "evaluator",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "evaluator" => Some(Role::Evaluator),
            _ => None,
        }
    }
}

/// What an API token says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: Uuid,
    pub email: String,
    pub role: Role,
    /// The operator's organisation.
    #[serde(default)]
    pub org: Option<Uuid>,
    #[serde(default)]
    pub org_name: Option<String>,
    /// The session (one login) the token belongs to; a logout ends it.
    #[serde(default)]
    pub sid: Option<Uuid>,
    /// The account's session version when the token was issued: a password, role or
    /// organisation change, or disabling the account, raises it and ends older tokens.
    #[serde(default)]
    pub sv: u32,
    /// The codes of the Comune's sectors a staff account belongs to
    /// ([`crate::contracts::sector`]); work such as sign-offs and referrals is routed by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<String>,
}

impl Claims {
    /// Whether the holder belongs to the sector `code`.
    pub fn in_sector(&self, code: &str) -> bool {
        self.sectors.iter().any(|s| s == code)
    }
}
