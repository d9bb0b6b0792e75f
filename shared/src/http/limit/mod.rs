//! Rate limits in fixed windows: failed logins per account, login attempts and public writes
//! per client address. The counters live in a [`LimitStore`]: in PostgreSQL when the services run
//! on it ([`PostgresStore`]), so N replicas behind a balancer allow the limit once, not N times;
//! in memory in the embedded form ([`MemoryStore`]), the one process that serves everything.
//! A store that fails lets the request through (and logs a warning): a limit guards against
//! guessing and floods, and is not worth refusing every login while the database is away.

mod memory;
mod postgres;

pub use memory::MemoryStore;
pub use postgres::PostgresStore;

use super::{client::ClientAddress, problem::ApiError};
use crate::{db::Db, settings::LimitSettings};
use axum::{
    extract::{FromRequestParts, MatchedPath},
    http::request::Parts,
};
use std::{sync::Arc, time::Duration};
use tokio_util::sync::CancellationToken;

/// A key's count in its current window, as a store answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// Hits counted in the window, the one just added included.
    pub hits: u64,
    /// Time until the window ends.
    pub resets_in: Duration,
}

/// Where the counters live.
#[async_trait::async_trait]
pub trait LimitStore: Send + Sync + std::fmt::Debug {
    /// Adds `add` hits (0 to only read) to `key` in its window of length `window`, starting a
    /// new window when the last one is over, and answers the count.
    async fn add(&self, key: &str, add: u32, window: Duration) -> anyhow::Result<Count>;

    /// Forgets `key`.
    async fn reset(&self, key: &str) -> anyhow::Result<()>;

    /// Forgets every window that ended; answers how many.
    async fn prune(&self, window: Duration) -> anyhow::Result<u64>;
}

/// Counters by key (`login-account:<email>`, `public:POST /api/v1/subscribers:<address>`).
/// Every attempt counts, refused ones too: a client that keeps trying stays refused until the
/// window ends.
#[derive(Debug)]
pub struct RateLimiter {
    settings: LimitSettings,
    window: Duration,
    store: Arc<dyn LimitStore>,
}

impl RateLimiter {
    /// Counting in this process's memory.
    pub fn new(settings: &LimitSettings) -> Self {
        Self::with_store(settings, Arc::new(MemoryStore::new()))
    }

    /// Counting in `store`.
    pub fn with_store(settings: &LimitSettings, store: Arc<dyn LimitStore>) -> Self {
        Self {
            settings: settings.clone(),
            window: Duration::from_secs(settings.window_seconds),
            store,
        }
    }

    /// Shared by every process on `db` when it is PostgreSQL, in memory on SQLite.
    pub fn for_database(settings: &LimitSettings, db: &Db) -> Self {
        if db.is_postgres() {
            Self::with_store(settings, Arc::new(PostgresStore::new(db.clone())))
        } else {
            Self::new(settings)
        }
    }

    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// Counts one request under `key`; 429 once `limit` requests were counted in this window.
    pub async fn hit(&self, key: &str, limit: u32) -> Result<(), ApiError> {
        self.count(key, limit, 1).await
    }

    /// 429 if `key` already reached `limit` in this window; counts nothing.
    pub async fn check(&self, key: &str, limit: u32) -> Result<(), ApiError> {
        self.count(key, limit, 0).await
    }

    /// Forgets `key` (a successful login clears its account's failures).
    pub async fn reset(&self, key: &str) {
        if let Err(error) = self.store.reset(key).await {
            tracing::warn!(error = format!("{error:#}"), "could not clear a rate limit");
        }
    }

    async fn count(&self, key: &str, limit: u32, add: u32) -> Result<(), ApiError> {
        let count = match self.store.add(key, add, self.window).await {
            Ok(count) => count,
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "rate limit not counted; letting the request through"
                );
                return Ok(());
            }
        };
        // The hits before this one decide: the `limit`th request still passes.
        if count.hits.saturating_sub(u64::from(add)) >= u64::from(limit) {
            return Err(ApiError::TooManyRequests {
                retry_after: count.resets_in.as_secs().max(1),
            });
        }
        Ok(())
    }

    /// Prunes ended windows once per window until `shutdown`, so the store holds only the keys
    /// seen lately.
    pub async fn run_pruner(self: Arc<Self>, shutdown: CancellationToken) {
        let mut ticker = tokio::time::interval(self.window.max(Duration::from_secs(1)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ticker.tick() => {}
            }
            match self.store.prune(self.window).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "rate-limit windows pruned"),
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "rate-limit pruning failed")
                }
            }
        }
    }
}

/// Extracting it counts the request against the per-address limit of its route
/// (`limits.public_per_address`): put it among the arguments of a public handler that writes.
/// Without a limiter installed (a router built outside [`crate::runtime::Application`]) it
/// lets everything through.
#[derive(Debug)]
pub struct PublicLimit;

impl<S: Send + Sync> FromRequestParts<S> for PublicLimit {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(limiter) = parts.extensions.get::<Arc<RateLimiter>>().cloned() else {
            return Ok(PublicLimit);
        };
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let ClientAddress(address) = ClientAddress::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientAddress(None));
        let key = format!(
            "public:{} {route}:{}",
            parts.method,
            address.unwrap_or_default()
        );
        limiter
            .hit(&key, limiter.settings.public_per_address)
            .await?;
        Ok(PublicLimit)
    }
}

/// The login handler's limits: extracting it counts the attempt against its client address
/// (`limits.login_per_address`); [`LoginLimit::check_account`] and [`LoginLimit::failed`]
/// bound failed attempts per account (`limits.login_per_account`).
#[derive(Debug)]
pub struct LoginLimit(Option<Arc<RateLimiter>>);

impl LoginLimit {
    fn account_key(email: &str) -> String {
        format!("login-account:{}", email.trim().to_lowercase())
    }

    /// 429 while `email` has used up its failed attempts in this window.
    pub async fn check_account(&self, email: &str) -> Result<(), ApiError> {
        match &self.0 {
            Some(l) => {
                l.check(&Self::account_key(email), l.settings.login_per_account)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Counts a failed attempt at `email`.
    pub async fn failed(&self, email: &str) {
        if let Some(l) = &self.0 {
            // Only counting; the refusal comes from `check_account` on the next attempt.
            let _ = l.hit(&Self::account_key(email), u32::MAX).await;
        }
    }

    /// Clears `email`'s failed attempts.
    pub async fn succeeded(&self, email: &str) {
        if let Some(l) = &self.0 {
            l.reset(&Self::account_key(email)).await;
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LoginLimit {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(limiter) = parts.extensions.get::<Arc<RateLimiter>>().cloned() else {
            return Ok(LoginLimit(None));
        };
        let ClientAddress(address) = ClientAddress::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientAddress(None));
        let key = format!("login-address:{}", address.unwrap_or_default());
        limiter
            .hit(&key, limiter.settings.login_per_address)
            .await?;
        Ok(LoginLimit(Some(limiter)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn limiter(window_seconds: u64) -> RateLimiter {
        RateLimiter::new(&LimitSettings {
            window_seconds,
            login_per_account: 2,
            login_per_address: 3,
            public_per_address: 3,
        })
    }

    #[tokio::test]
    async fn the_request_over_the_limit_is_refused_with_the_time_to_wait() {
        let limiter = limiter(60);
        for _ in 0..3 {
            limiter.hit("k", 3).await.unwrap();
        }
        match limiter.hit("k", 3).await {
            Err(ApiError::TooManyRequests { retry_after }) => {
                assert!((1..=60).contains(&retry_after), "{retry_after}");
            }
            other => panic!("expected 429, got {other:?}"),
        }
        limiter.hit("other", 3).await.unwrap();
    }

    #[tokio::test]
    async fn a_check_counts_nothing() {
        let limiter = limiter(60);
        for _ in 0..5 {
            limiter.check("k", 1).await.unwrap();
        }
        limiter.hit("k", 1).await.unwrap();
        assert!(limiter.check("k", 1).await.is_err());
    }

    #[tokio::test]
    async fn a_reset_forgets_the_count() {
        let limiter = limiter(60);
        limiter.hit("k", 1).await.unwrap();
        limiter.reset("k").await;
        limiter.hit("k", 1).await.unwrap();
    }

    /// A store that always fails, as PostgreSQL does while it is away.
    #[derive(Debug)]
    struct Broken;

    #[async_trait::async_trait]
    impl LimitStore for Broken {
        async fn add(&self, _: &str, _: u32, _: Duration) -> anyhow::Result<Count> {
            anyhow::bail!("connection refused")
        }
        async fn reset(&self, _: &str) -> anyhow::Result<()> {
            anyhow::bail!("connection refused")
        }
        async fn prune(&self, _: Duration) -> anyhow::Result<u64> {
            anyhow::bail!("connection refused")
        }
    }

    #[tokio::test]
    async fn a_failing_store_lets_requests_through() {
        let limiter = RateLimiter::with_store(&limiter(60).settings, Arc::new(Broken));
        for _ in 0..10 {
            limiter.hit("k", 1).await.unwrap();
        }
    }
}
