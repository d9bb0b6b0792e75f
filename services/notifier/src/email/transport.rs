//! Sending: one transport built at start-up and shared. SMTP goes over lettre's async SMTP
//! connections, kept open and reused ([`Connections`]); without an SMTP URL, each email is
//! written as an `.eml` file into `<data_dir>/outbox`.

use super::{connections::Connections, send_error::SendError};
use anyhow::Context;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};
use piazza_shared::settings::Settings;
use std::sync::Arc;

#[derive(Clone)]
pub enum Mailer {
    Smtp(Arc<Connections>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Files(_) => f.write_str("Mailer::Files"),
        }
    }
}

impl Mailer {
    /// The transport the settings ask for.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match &settings.smtp_url {
            // At most `email.concurrency` emails are in flight, so at most as many connections.
            Some(url) => Ok(Mailer::Smtp(Arc::new(Connections::new(url.expose())?))),
            None => {
                let dir = settings.data_dir.join("outbox");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Ok(Mailer::Files(AsyncFileTransport::<Tokio1Executor>::new(
                    dir,
                )))
            }
        }
    }

    pub async fn send(&self, message: lettre::Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(connections) => {
                connections
                    .send(message.envelope(), &message.formatted())
                    .await
            }
            Mailer::Files(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Temporary(e.to_string())),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Mailer::Smtp(_) => "smtp",
            Mailer::Files(_) => "files",
        }
    }
}
