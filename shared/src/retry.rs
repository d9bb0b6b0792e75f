//! How long to wait before trying again after a failure: the bus, the outbox relay and the
//! email sender all back off the same way.

use std::time::Duration;

/// Exponential backoff with jitter: about 200 ms after the first failure, doubling, capped at
/// 30 s, each delay randomised ±50% so replicas do not retry in step.
pub fn backoff(failures: u32) -> Duration {
    let base = 200u64.saturating_mul(1u64 << failures.saturating_sub(1).min(8));
    let capped = base.min(30_000);
    let jitter = rand::random_range(0.5..1.5);
    Duration::from_millis((capped as f64 * jitter) as u64)
}
