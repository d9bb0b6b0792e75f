//! Every service follows ended sessions (see [`crate::auth::sessions`]): its message handler
//! also records them, and a worker re-reads its tables, so a revoked token is refused everywhere.

use super::service::{ServiceContext, ServiceParts, Worker};
use crate::{
    Envelope,
    auth::{Keys, sessions},
    bus::{
        HandleError,
        handler::{MessageHandler, decode},
    },
    contracts::account::SessionsEnded,
};
use async_trait::async_trait;
use sea_orm::DatabaseTransaction;
use std::{sync::Arc, time::Duration};

/// The service's message handler, also recording `piazza.account.sessions_ended`.
struct WithSessions {
    inner: Option<Arc<dyn MessageHandler>>,
    keys: Keys,
}

#[async_trait]
impl MessageHandler for WithSessions {
    async fn handle(
        &self,
        txn: &DatabaseTransaction,
        envelope: &Envelope,
    ) -> Result<(), HandleError> {
        if envelope.is::<SessionsEnded>() {
            let message: SessionsEnded = decode(envelope)?;
            return Ok(sessions::record(txn, &message).await?);
        }
        match &self.inner {
            Some(inner) => inner.handle(txn, envelope).await,
            None => Ok(()),
        }
    }

    fn after_commit(&self, envelope: &Envelope) {
        if envelope.is::<SessionsEnded>() {
            if let Ok(message) = envelope.decode::<SessionsEnded>() {
                self.keys.revocations().apply(&message);
            }
        } else if let Some(inner) = &self.inner {
            inner.after_commit(envelope);
        }
    }
}

/// Makes a built service follow ended sessions: its handler records them, a worker re-reads its
/// tables every `auth.revocation_poll_ms`, and they are read once before it serves.
pub async fn attach(
    context: &ServiceContext,
    mut parts: ServiceParts,
) -> anyhow::Result<ServiceParts> {
    sessions::refresh(&context.db, &context.keys).await?;
    parts.handler = Some(Arc::new(WithSessions {
        inner: parts.handler.take(),
        keys: context.keys.clone(),
    }));
    let (db, keys, stop) = (
        context.db.clone(),
        context.keys.clone(),
        context.shutdown.clone(),
    );
    let every = Duration::from_millis(context.settings.auth.revocation_poll_ms);
    parts.workers.push(Worker {
        name: "ended sessions",
        task: Box::pin(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = tokio::time::sleep(every) => {}
                }
                if let Err(error) = sessions::refresh(&db, &keys).await {
                    tracing::warn!(%error, "reading ended sessions failed; will try again");
                }
            }
        }),
    });
    Ok(parts)
}
