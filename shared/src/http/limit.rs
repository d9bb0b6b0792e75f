//! Rate limits counted in memory, per process, in fixed windows: failed logins per account,
//! login attempts and public writes per client address. Each replica counts on its own, so with
//! N replicas behind a balancer a client gets up to N times the limit; that still stops a
//! password guesser or a form flood, and needs no shared store.

use super::{client::ClientAddress, problem::ApiError};
use crate::settings::LimitSettings;
use axum::{
    extract::{FromRequestParts, MatchedPath},
    http::request::Parts,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Keys kept before expired windows are swept out, so a flood of addresses cannot grow the map
/// without bound.
const SWEEP_ABOVE: usize = 10_000;

/// Counters by key (`login-account:<email>`, `public:POST /api/v1/subscribers:<address>`).
#[derive(Debug)]
pub struct RateLimiter {
    settings: LimitSettings,
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(settings: &LimitSettings) -> Self {
        Self {
            settings: settings.clone(),
            window: Duration::from_secs(settings.window_seconds),
            counts: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &LimitSettings {
        &self.settings
    }

    /// Counts one request under `key`; 429 once `limit` requests were counted in this window.
    pub fn hit(&self, key: &str, limit: u32) -> Result<(), ApiError> {
        self.count(key, limit, true, Instant::now())
    }

    /// 429 if `key` already reached `limit` in this window; counts nothing.
    pub fn check(&self, key: &str, limit: u32) -> Result<(), ApiError> {
        self.count(key, limit, false, Instant::now())
    }

    /// Forgets `key` (a successful login clears its account's failures).
    pub fn reset(&self, key: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
    }

    fn count(&self, key: &str, limit: u32, add: bool, now: Instant) -> Result<(), ApiError> {
        let Ok(mut counts) = self.counts.lock() else {
            return Ok(());
        };
        if counts.len() > SWEEP_ABOVE {
            let window = self.window;
            counts.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = counts.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(ApiError::TooManyRequests {
                retry_after: left.as_secs().max(1),
            });
        }
        if add {
            entry.1 += 1;
        }
        Ok(())
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
        limiter.hit(&key, limiter.settings.public_per_address)?;
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
    pub fn check_account(&self, email: &str) -> Result<(), ApiError> {
        match &self.0 {
            Some(l) => l.check(&Self::account_key(email), l.settings.login_per_account),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt at `email`.
    pub fn failed(&self, email: &str) {
        if let Some(l) = &self.0 {
            // Only counting; the refusal comes from `check_account` on the next attempt.
            let _ = l.hit(&Self::account_key(email), u32::MAX);
        }
    }

    /// Clears `email`'s failed attempts.
    pub fn succeeded(&self, email: &str) {
        if let Some(l) = &self.0 {
            l.reset(&Self::account_key(email));
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
        limiter.hit(&key, limiter.settings.login_per_address)?;
        Ok(LoginLimit(Some(limiter)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(window_seconds: u64) -> RateLimiter {
        RateLimiter::new(&LimitSettings {
            window_seconds,
            login_per_account: 2,
            login_per_address: 3,
            public_per_address: 3,
        })
    }

    #[test]
    fn the_request_over_the_limit_is_refused_with_the_time_to_wait() {
        let limiter = limiter(60);
        for _ in 0..3 {
            limiter.hit("k", 3).unwrap();
        }
        match limiter.hit("k", 3) {
            Err(ApiError::TooManyRequests { retry_after }) => {
                assert!((1..=60).contains(&retry_after), "{retry_after}");
            }
            other => panic!("expected 429, got {other:?}"),
        }
        limiter.hit("other", 3).unwrap();
    }

    #[test]
    fn a_new_window_starts_counting_again() {
        let limiter = limiter(60);
        let start = Instant::now();
        limiter.count("k", 1, true, start).unwrap();
        let almost = start + Duration::from_secs(59);
        match limiter.count("k", 1, true, almost) {
            Err(ApiError::TooManyRequests { retry_after }) => assert_eq!(retry_after, 1),
            other => panic!("expected 429, got {other:?}"),
        }
        limiter
            .count("k", 1, true, start + Duration::from_secs(60))
            .unwrap();
    }

    #[test]
    fn expired_windows_are_swept_when_the_map_grows() {
        let limiter = limiter(60);
        let start = Instant::now();
        for i in 0..=SWEEP_ABOVE {
            limiter.count(&i.to_string(), 1, true, start).unwrap();
        }
        limiter
            .count("late", 1, true, start + Duration::from_secs(61))
            .unwrap();
        assert_eq!(limiter.counts.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_reset_forgets_the_count() {
        let limiter = limiter(60);
        limiter.hit("k", 1).unwrap();
        limiter.reset("k");
        limiter.hit("k", 1).unwrap();
    }
}
