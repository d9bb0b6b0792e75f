//! What every monitoring use case and adapter can reach.

use crate::config::Settings;
use axum::extract::FromRef;
use piazza_shared::{auth::Keys, bus::outbox::Outbox, db::Db};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub outbox: Outbox,
    /// Signs and checks sessions, and keys the hash that stands for a person in the facts.
    pub keys: Keys,
    pub settings: Arc<Settings>,
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.keys.clone()
    }
}

impl AppState {
    /// Begins a unit of work on the monitoring's database and outbox.
    pub async fn begin(&self) -> Result<piazza_shared::unit::Unit, sea_orm::DbErr> {
        piazza_shared::unit::Unit::begin(&self.db, &self.outbox).await
    }
}
