//! What every notifier use case, adapter and job can reach.

use crate::{
    config::Settings,
    email::{EmailTemplates, Mailer},
    links::Links,
};
use axum::extract::FromRef;
use lettre::message::Mailbox;
use piazza_shared::{auth::Keys, bus::outbox::Outbox, db::Db};
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
    /// The templates every email is written from.
    pub emails: EmailTemplates,
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

impl AppState {
    /// Begins a unit of work on the notifier's database and outbox.
    pub async fn begin(&self) -> Result<piazza_shared::unit::Unit, sea_orm::DbErr> {
        piazza_shared::unit::Unit::begin(&self.db, &self.outbox).await
    }

    /// Commits `unit` and wakes the sender for the emails it queued: the one way a use case that
    /// writes deliveries ends, so none waits for the sender's next poll.
    pub async fn commit_and_send(
        &self,
        unit: piazza_shared::unit::Unit,
    ) -> Result<(), sea_orm::DbErr> {
        unit.commit().await?;
        self.wake_sender.notify_one();
        Ok(())
    }
}
