//! Signed links in emails. Each token names one subscriber and one purpose (confirm, manage,
//! unsubscribe), expires, and is signed with the service key, so a link for one person never
//! opens another's data and an unsubscribe link cannot change preferences.

use chrono::Duration;
use piazza_shared::auth::{Keys, TokenError};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

pub const CONFIRM: &str = "subscription.confirm";
pub const MANAGE: &str = "subscription.manage";
pub const UNSUBSCRIBE: &str = "subscription.unsubscribe";

/// Whom a link is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkClaims {
    /// Subscriber id.
    pub s: Uuid,
    /// The address the link was sent for: a link stops working if the address changes.
    pub e: String,
}

#[derive(Clone, Debug)]
pub struct Links {
    base: Url,
    keys: Keys,
    ttl: Duration,
}

impl Links {
    pub fn new(base: Url, keys: Keys, ttl_days: u32) -> Self {
        Self {
            base,
            keys,
            ttl: Duration::days(i64::from(ttl_days)),
        }
    }

    pub fn token(&self, purpose: &str, subscriber: Uuid, email: &str) -> String {
        let claims = LinkClaims {
            s: subscriber,
            e: email.to_string(),
        };
        self.keys
            .sign(purpose, &claims, piazza_shared::clock::now() + self.ttl)
    }

    pub fn verify(&self, purpose: &str, token: &str) -> Result<LinkClaims, TokenError> {
        self.keys
            .verify(purpose, token, piazza_shared::clock::now())
    }

    fn url(&self, path: &str, token: String) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.query_pairs_mut().clear().append_pair("token", &token);
        url.to_string()
    }

    pub fn confirm(&self, subscriber: Uuid, email: &str) -> String {
        self.url(
            "/subscriptions/confirm",
            self.token(CONFIRM, subscriber, email),
        )
    }

    pub fn manage(&self, subscriber: Uuid, email: &str) -> String {
        self.url(
            "/subscriptions/manage",
            self.token(MANAGE, subscriber, email),
        )
    }

    pub fn unsubscribe(&self, subscriber: Uuid, email: &str) -> String {
        self.url(
            "/subscriptions/unsubscribe",
            self.token(UNSUBSCRIBE, subscriber, email),
        )
    }

    /// A public page of the site (the calendar, an event).
    pub fn page(&self, path: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(path);
        url.to_string()
    }
}
