//! What every scheduler handler can reach.

use crate::config::Settings;
use crate::feed_cache::RenderedFeeds;
use axum::extract::FromRef;
use piazza_shared::{auth::Keys, bus::outbox::Outbox, db::Db};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub outbox: Outbox,
    pub keys: Keys,
    pub settings: Arc<Settings>,
    /// Calendars written lately, by ETag: feeds that calendar clients poll unchanged are not
    /// written again.
    pub feeds: Arc<RenderedFeeds>,
}

impl AppState {
    pub fn new(db: Db, outbox: Outbox, keys: Keys, settings: Arc<Settings>) -> Self {
        Self {
            db,
            outbox,
            keys,
            settings,
            feeds: Arc::default(),
        }
    }
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.keys.clone()
    }
}

impl AppState {
    /// Begins a unit of work on the scheduler's database and outbox.
    pub async fn begin(&self) -> Result<piazza_shared::unit::Unit, sea_orm::DbErr> {
        piazza_shared::unit::Unit::begin(&self.db, &self.outbox).await
    }
}
