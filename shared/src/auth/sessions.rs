//! Ending sessions before their tokens expire. A token is signed and checked without a database,
//! so every service can verify it; to end one early each service keeps a small read model of
//! ended sessions, fed from the bus, and [`Keys::verify_session`] refuses a token it names.
//!
//! Every token carries its session's id (`sid`, new at each login) and the account's session
//! version (`sv`) when it was issued. Booking, which keeps the accounts, raises an account's
//! version when its password, role or organisation changes or it is disabled — every token
//! issued before is then refused — and a logout ends the one session. It records the change in
//! its own `revoked_accounts`/`revoked_sessions` tables in the transaction of the change and
//! publishes `piazza.account.sessions_ended`; every service records that message in its own
//! tables (the same shared handler, in each service's schema).
//!
//! The check itself reads memory: each process holds the union of what its services' tables say,
//! updated at once when its own handler (or booking's own change) commits, and re-read from the
//! tables every `auth.revocation_poll_ms`, which brings in what other replicas of the service
//! and the command line recorded. So a revocation is refused at once by the process that made
//! it, by every service as soon as its consumer handles the message, and by every replica within
//! one poll after that.

use super::{Claims, Keys};
use crate::{
    Envelope,
    bus::HandleError,
    contracts::account::SessionsEnded,
    db::Db,
    runtime::{MessageHandler, ServiceContext, ServiceParts, Worker, decode},
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, Set,
    sea_query::OnConflict,
};
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::Duration,
};
use uuid::Uuid;

/// The `revoked_accounts` table: per account, the lowest session version still valid.
pub mod revoked_accounts {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "revoked_accounts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        pub session_version: i64,
        pub changed_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `revoked_sessions` table: sessions ended by a logout, until their token would expire.
pub mod revoked_sessions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "revoked_sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub session_id: Uuid,
        pub account_id: Uuid,
        pub expires_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Debug, Default)]
struct Ended {
    /// Account id → lowest session version still valid.
    accounts: HashMap<Uuid, u32>,
    /// Session id → when its token expires anyway.
    sessions: HashMap<Uuid, DateTime<Utc>>,
}

/// What this process knows of ended sessions (the union of its services' tables).
#[derive(Debug, Default, Clone)]
pub struct Revocations(Arc<RwLock<Ended>>);

impl Revocations {
    /// Whether the session `claims` belong to has ended.
    pub fn is_ended(&self, claims: &Claims) -> bool {
        let Ok(ended) = self.0.read() else {
            return false;
        };
        ended
            .accounts
            .get(&claims.sub)
            .is_some_and(|valid_from| claims.sv < *valid_from)
            || claims
                .sid
                .is_some_and(|sid| ended.sessions.contains_key(&sid))
    }

    /// Takes in one ended session or account version (never lowering a version).
    pub fn apply(&self, message: &SessionsEnded) {
        let Ok(mut ended) = self.0.write() else {
            return;
        };
        let version = ended.accounts.entry(message.account_id).or_insert(0);
        *version = (*version).max(message.session_version);
        if let (Some(sid), Some(expires_at)) = (message.session_id, message.session_expires_at) {
            ended.sessions.insert(sid, expires_at);
        }
    }

    fn merge(
        &self,
        accounts: Vec<revoked_accounts::Model>,
        sessions: Vec<revoked_sessions::Model>,
        now: DateTime<Utc>,
    ) {
        let Ok(mut ended) = self.0.write() else {
            return;
        };
        for row in accounts {
            let version = ended.accounts.entry(row.account_id).or_insert(0);
            *version = (*version).max(u32::try_from(row.session_version).unwrap_or(u32::MAX));
        }
        for row in sessions {
            ended.sessions.insert(row.session_id, row.expires_at);
        }
        // A token past its expiry is refused anyway.
        ended.sessions.retain(|_, expires_at| *expires_at > now);
    }
}

/// Records `message` in the tables of the service `conn` belongs to (idempotent: a version is
/// only ever raised, a session only ever added).
pub async fn record(conn: &impl ConnectionTrait, message: &SessionsEnded) -> Result<(), DbErr> {
    let now = crate::clock::now();
    let version = i64::from(message.session_version);
    revoked_accounts::Entity::insert(revoked_accounts::ActiveModel {
        account_id: Set(message.account_id),
        session_version: Set(version),
        changed_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(revoked_accounts::Column::AccountId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    revoked_accounts::Entity::update_many()
        .col_expr(revoked_accounts::Column::SessionVersion, version.into())
        .col_expr(revoked_accounts::Column::ChangedAt, now.into())
        .filter(revoked_accounts::Column::AccountId.eq(message.account_id))
        .filter(revoked_accounts::Column::SessionVersion.lt(version))
        .exec(conn)
        .await?;
    if let (Some(sid), Some(expires_at)) = (message.session_id, message.session_expires_at) {
        revoked_sessions::Entity::insert(revoked_sessions::ActiveModel {
            session_id: Set(sid),
            account_id: Set(message.account_id),
            expires_at: Set(expires_at),
        })
        .on_conflict(
            OnConflict::column(revoked_sessions::Column::SessionId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Reads the service's tables into `keys`' revocations, and forgets sessions whose tokens have
/// expired.
pub async fn refresh(db: &Db, keys: &Keys) -> Result<(), DbErr> {
    let now = crate::clock::now();
    revoked_sessions::Entity::delete_many()
        .filter(revoked_sessions::Column::ExpiresAt.lte(now))
        .exec(db.conn())
        .await?;
    let accounts = revoked_accounts::Entity::find().all(db.conn()).await?;
    let sessions = revoked_sessions::Entity::find().all(db.conn()).await?;
    keys.revocations().merge(accounts, sessions, now);
    Ok(())
}

/// The routing key every service's queue is bound to besides its own (see
/// [`crate::runtime::ServiceDef::subscription`]).
pub const BINDING: &str = "account.sessions_ended";

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
            return Ok(record(txn, &message).await?);
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
    refresh(&context.db, &context.keys).await?;
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
                if let Err(error) = refresh(&db, &keys).await {
                    tracing::warn!(%error, "reading ended sessions failed; will try again");
                }
            }
        }),
    });
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, auth::Role, contracts::account::SessionsEndedReason};

    fn claims(account: Uuid, sid: Uuid, sv: u32) -> Claims {
        Claims {
            sub: account,
            email: "a@comune.test".into(),
            role: Role::Admin,
            org: None,
            org_name: None,
            sid: Some(sid),
            sv,
        }
    }

    fn ended(account: Uuid, version: u32, sid: Option<Uuid>) -> SessionsEnded {
        SessionsEnded {
            version: 1,
            account_id: account,
            session_version: version,
            session_id: sid,
            session_expires_at: sid.map(|_| crate::clock::now() + chrono::Duration::hours(1)),
            reason: SessionsEndedReason::Logout,
        }
    }

    #[test]
    fn the_binding_is_the_routing_key_of_the_contract() {
        assert_eq!(BINDING, SessionsEnded::routing_key());
    }

    #[test]
    fn a_logout_ends_its_session_and_a_new_version_ends_the_older_ones() {
        let (account, other) = (Uuid::now_v7(), Uuid::now_v7());
        let (left, stayed) = (Uuid::new_v4(), Uuid::new_v4());
        let revocations = Revocations::default();
        revocations.apply(&ended(account, 0, Some(left)));
        assert!(revocations.is_ended(&claims(account, left, 0)));
        assert!(!revocations.is_ended(&claims(account, stayed, 0)));
        revocations.apply(&ended(account, 2, None));
        assert!(revocations.is_ended(&claims(account, stayed, 1)));
        assert!(!revocations.is_ended(&claims(account, Uuid::new_v4(), 2)));
        // A late, older message never lowers the version.
        revocations.apply(&ended(account, 1, None));
        assert!(revocations.is_ended(&claims(account, stayed, 1)));
        assert!(!revocations.is_ended(&claims(other, stayed, 0)));
    }
}
