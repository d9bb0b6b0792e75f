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

use super::keys::Keys;
use crate::{contracts::account::SessionsEnded, db::Db};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, sea_query::OnConflict,
};

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
    keys.revocations().merge(
        accounts
            .into_iter()
            .map(|r| (r.account_id, r.session_version)),
        sessions.into_iter().map(|r| (r.session_id, r.expires_at)),
        now,
    );
    Ok(())
}

/// The routing key every service's queue is bound to besides its own (see
/// [`crate::runtime::ServiceDef::subscription`]).
pub const BINDING: &str = "account.sessions_ended";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;

    #[test]
    fn the_binding_is_the_routing_key_of_the_contract() {
        assert_eq!(BINDING, SessionsEnded::routing_key());
    }
}
