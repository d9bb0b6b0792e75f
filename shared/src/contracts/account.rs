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

/// Why an account is sent a link to set its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordLinkReason {
    /// An administrator invited a new account.
    Invitation,
    /// An administrator reset the account's password.
    Reset,
}

/// An account is to get an email with a link to set its password. Booking, which keeps the
/// accounts, signs the link (it expires at `expires_at` and is spent once used); the notifier
/// only writes it to `email`, in `language`, like every other email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordLinkIssued {
    #[serde(default = "super::version_one")]
    pub version: u32,
    pub account_id: Uuid,
    pub email: String,
    pub reason: PasswordLinkReason,
    /// The page that sets the password, its signed token in the query.
    pub link: String,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub language: super::Language,
    /// The organisation an operator acts for, to say so in the invitation.
    #[serde(default)]
    pub organisation: Option<String>,
}

impl Message for PasswordLinkIssued {
    const TYPE: &'static str = "piazza.account.password_link_issued";
}
