//! What every notifier handler and worker can reach.

use crate::{email::Mailer, links::Links};
use axum::extract::FromRef;
use lettre::message::Mailbox;
use piazza_shared::{auth::Keys, bus::outbox::Outbox, db::Db, settings::Settings};
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub outbox: Outbox,
    pub keys: Keys,
    pub settings: Arc<Settings>,
    pub links: Links,
    pub mailer: Mailer,
    /// The sender of every email.
    pub from: Mailbox,
    /// Wakes the sender when new deliveries are committed.
    pub wake_sender: Arc<Notify>,
}

impl FromRef<AppState> for Keys {
    fn from_ref(state: &AppState) -> Keys {
        state.keys.clone()
    }
}
