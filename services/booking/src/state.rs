//! What every booking use case can reach.

use crate::config::Settings;
use axum::extract::FromRef;
use piazza_shared::{auth::Keys, bus::outbox::Outbox, db::Db, unit::Unit};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub outbox: Outbox,
    pub keys: Keys,
    pub settings: Arc<Settings>,
}

impl AppState {
    /// Begins a unit of work on booking's database and outbox.
    pub async fn begin(&self) -> Result<Unit, sea_orm::DbErr> {
        Unit::begin(&self.db, &self.outbox).await
    }
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.keys.clone()
    }
}
