//! Calendars written lately, kept by ETag so a feed that calendar clients poll unchanged is not
//! written again. Part of the state, apart from the routes that fill it.

use chrono::{DateTime, Utc};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

/// Calendars written lately, by ETag, up to [`RenderedFeeds::BUDGET`] bytes in all: the newest
/// are kept. Calendar clients poll a feed that rarely changes, so most answers come from here.
#[derive(Debug, Default)]
pub struct RenderedFeeds {
    kept: Mutex<VecDeque<(String, Rendered)>>,
}

/// A written calendar and its latest change.
pub type Rendered = (Arc<str>, Option<DateTime<Utc>>);

impl RenderedFeeds {
    /// Bytes of calendar text kept at most.
    pub const BUDGET: usize = 32 * 1024 * 1024;

    pub fn get(&self, etag: &str) -> Option<Rendered> {
        let kept = self.kept.lock().ok()?;
        kept.iter()
            .find(|(tag, _)| tag == etag)
            .map(|(_, r)| r.clone())
    }

    pub fn put(&self, etag: String, rendered: Rendered) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if rendered.0.len() > Self::BUDGET || kept.iter().any(|(tag, _)| *tag == etag) {
            return;
        }
        kept.push_front((etag, rendered));
        while kept.iter().map(|(_, r)| r.0.len()).sum::<usize>() > Self::BUDGET {
            kept.pop_back();
        }
    }
}
