//! `piazza.account.*`: the booking service, which keeps the accounts, tells every service when
//! sessions end, so each can refuse the tokens it verifies without reading booking's tables.

use crate::envelope::Message;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why sessions ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionsEndedReason {
    /// One session: its holder logged out.
    Logout,
    PasswordChanged,
    Disabled,
    RoleChanged,
}

/// Sessions of an account ended: every token it holds whose session version is below
/// `session_version`, and, after a logout, the one session `session_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionsEnded {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub account_id: Uuid,
    /// Tokens of a lower session version are no longer accepted.
    pub session_version: u32,
    /// The one session a logout ended.
    #[serde(default)]
    pub session_id: Option<Uuid>,
    /// When that session's token would have expired anyway (it may be forgotten then).
    #[serde(default)]
    pub session_expires_at: Option<DateTime<Utc>>,
    pub reason: SessionsEndedReason,
}

impl Message for SessionsEnded {
    const TYPE: &'static str = "piazza.account.sessions_ended";
}
