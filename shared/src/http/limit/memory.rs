//! Rate-limit counters in this process's memory: the store of the embedded form (one process,
//! SQLite), where nothing else could share them. Expired windows are swept when the map grows
//! past [`SWEEP_ABOVE`] keys and on every [`LimitStore::prune`].

use super::{Count, LimitStore};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Keys kept before expired windows are swept out, so a flood of addresses cannot grow the map
/// without bound between two prunes.
pub(super) const SWEEP_ABOVE: usize = 10_000;

/// Counters by key: when the key's window started, and the hits counted in it.
#[derive(Debug, Default)]
pub struct MemoryStore {
    counts: Mutex<HashMap<String, (Instant, u64)>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// [`LimitStore::add`] as if it were `now`, so tests can move time.
    pub(super) fn add_at(&self, key: &str, add: u32, window: Duration, now: Instant) -> Count {
        let Ok(mut counts) = self.counts.lock() else {
            // A thread panicked holding the lock: count nothing rather than refuse everyone.
            return Count {
                hits: 0,
                resets_in: window,
            };
        };
        if counts.len() > SWEEP_ABOVE {
            counts.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = counts.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(u64::from(add));
        Count {
            hits: entry.1,
            resets_in: window.saturating_sub(now.duration_since(entry.0)),
        }
    }

    fn prune_at(&self, window: Duration, now: Instant) -> u64 {
        let Ok(mut counts) = self.counts.lock() else {
            return 0;
        };
        let before = counts.len();
        counts.retain(|_, (start, _)| now.duration_since(*start) < window);
        (before - counts.len()) as u64
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.counts.lock().map(|c| c.len()).unwrap_or(0)
    }
}

#[async_trait::async_trait]
impl LimitStore for MemoryStore {
    async fn add(&self, key: &str, add: u32, window: Duration) -> anyhow::Result<Count> {
        Ok(self.add_at(key, add, window, Instant::now()))
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
        Ok(())
    }

    async fn prune(&self, window: Duration) -> anyhow::Result<u64> {
        Ok(self.prune_at(window, Instant::now()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn a_new_window_starts_counting_again() {
        let store = MemoryStore::new();
        let start = Instant::now();
        assert_eq!(store.add_at("k", 1, MINUTE, start).hits, 1);
        let almost = store.add_at("k", 1, MINUTE, start + Duration::from_secs(59));
        assert_eq!((almost.hits, almost.resets_in.as_secs()), (2, 1));
        let next = store.add_at("k", 1, MINUTE, start + MINUTE);
        assert_eq!((next.hits, next.resets_in), (1, MINUTE));
    }

    #[test]
    fn expired_windows_are_swept_when_the_map_grows() {
        let store = MemoryStore::new();
        let start = Instant::now();
        for i in 0..=SWEEP_ABOVE {
            store.add_at(&i.to_string(), 1, MINUTE, start);
        }
        store.add_at("late", 1, MINUTE, start + Duration::from_secs(61));
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn a_prune_forgets_only_the_windows_that_ended() {
        let store = MemoryStore::new();
        let start = Instant::now();
        store.add_at("old", 1, MINUTE, start);
        store.add_at("new", 1, MINUTE, start + Duration::from_secs(30));
        assert_eq!(store.prune_at(MINUTE, start + Duration::from_secs(61)), 1);
        assert_eq!(store.len(), 1);
    }
}
