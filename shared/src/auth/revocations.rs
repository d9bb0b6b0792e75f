//! What this process knows of ended sessions, in memory, so that checking a token reads no
//! database: the union of what its services' tables say (see [`super::sessions`], which fills
//! it), consulted by [`super::Keys::verify_session`].

use super::claims::Claims;
use crate::contracts::account::SessionsEnded;
use chrono::{DateTime, Utc};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};
use uuid::Uuid;

#[derive(Debug, Default)]
struct Ended {
    /// Account id → lowest session version still valid.
    accounts: HashMap<Uuid, u32>,
    /// Session id → when its token expires anyway.
    sessions: HashMap<Uuid, DateTime<Utc>>,
}

/// What this process knows of ended sessions (the union of its services' tables).
#[derive(Debug, Default, Clone)]
pub struct Revocations(Arc<RwLock<Ended>>);

impl Revocations {
    /// Whether the session `claims` belong to has ended.
    pub fn is_ended(&self, claims: &Claims) -> bool {
        let Ok(ended) = self.0.read() else {
            return false;
        };
        ended
            .accounts
            .get(&claims.sub)
            .is_some_and(|valid_from| claims.sv < *valid_from)
            || claims
                .sid
                .is_some_and(|sid| ended.sessions.contains_key(&sid))
    }

    /// Takes in one ended session or account version (never lowering a version).
    pub fn apply(&self, message: &SessionsEnded) {
        let Ok(mut ended) = self.0.write() else {
            return;
        };
        let version = ended.accounts.entry(message.account_id).or_insert(0);
        *version = (*version).max(message.session_version);
        if let (Some(sid), Some(expires_at)) = (message.session_id, message.session_expires_at) {
            ended.sessions.insert(sid, expires_at);
        }
    }

    /// Takes in what a service's tables say: per account the lowest session version still
    /// valid, and the ended sessions with their tokens' expiry.
    pub(super) fn merge(
        &self,
        accounts: impl IntoIterator<Item = (Uuid, i64)>,
        sessions: impl IntoIterator<Item = (Uuid, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) {
        let Ok(mut ended) = self.0.write() else {
            return;
        };
        for (account_id, session_version) in accounts {
            let version = ended.accounts.entry(account_id).or_insert(0);
            *version = (*version).max(u32::try_from(session_version).unwrap_or(u32::MAX));
        }
        for (session_id, expires_at) in sessions {
            ended.sessions.insert(session_id, expires_at);
        }
        // A token past its expiry is refused anyway.
        ended.sessions.retain(|_, expires_at| *expires_at > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{auth::Role, contracts::account::SessionsEndedReason};

    fn claims(account: Uuid, sid: Uuid, sv: u32) -> Claims {
        Claims {
            sub: account,
            email: "a@comune.test".into(),
            role: Role::Admin,
            org: None,
            org_name: None,
            sid: Some(sid),
            sv,
            sectors: Vec::new(),
        }
    }

    fn ended(account: Uuid, version: u32, sid: Option<Uuid>) -> SessionsEnded {
        SessionsEnded {
            version: 1,
            account_id: account,
            session_version: version,
            session_id: sid,
            session_expires_at: sid.map(|_| crate::clock::now() + chrono::Duration::hours(1)),
            reason: SessionsEndedReason::Logout,
        }
    }

    #[test]
    fn a_logout_ends_its_session_and_a_new_version_ends_the_older_ones() {
        let (account, other) = (Uuid::now_v7(), Uuid::now_v7());
        let (left, stayed) = (Uuid::new_v4(), Uuid::new_v4());
        let revocations = Revocations::default();
        revocations.apply(&ended(account, 0, Some(left)));
        assert!(revocations.is_ended(&claims(account, left, 0)));
        assert!(!revocations.is_ended(&claims(account, stayed, 0)));
        revocations.apply(&ended(account, 2, None));
        assert!(revocations.is_ended(&claims(account, stayed, 1)));
        assert!(!revocations.is_ended(&claims(account, Uuid::new_v4(), 2)));
        // A late, older message never lowers the version.
        revocations.apply(&ended(account, 1, None));
        assert!(revocations.is_ended(&claims(account, stayed, 1)));
        assert!(!revocations.is_ended(&claims(other, stayed, 0)));
    }
}
