//! What every booking handler can reach.

use crate::config::Settings;
use axum::extract::FromRef;
use piazza_shared::{auth::Keys, bus::outbox::Outbox, db::Db};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub outbox: Outbox,
    pub keys: Keys,
    pub settings: Arc<Settings>,
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.keys.clone()
    }
}
