//! A unit of work: the one way a use case changes a service's data. It begins a write
//! transaction, takes the messages the change causes into the outbox and the audit entry of an
//! administrative action in that same transaction, and on commit wakes the outbox relay — so no
//! use case can commit without waking the relay, nor publish or audit outside its transaction.
//!
//! ```ignore
//! let mut unit = Unit::begin(&state.db, &state.outbox).await?;
//! /* change rows through `&*unit` */
//! unit.publish(&ProposalDeclined { .. }, Some(id.to_string())).await?;
//! unit.audit(&claims, "proposal.decline", id, before, after).await?;
//! unit.commit().await?; // commits, then wakes the relay
//! ```
//!
//! Dropping a unit without committing rolls the transaction back (an early `?` return).

use crate::{
    audit,
    auth::Claims,
    bus::outbox::Outbox,
    db::{Db, WriteTxn},
    envelope::{Envelope, Message},
};
use sea_orm::{DatabaseTransaction, DbErr};
use std::ops::Deref;

/// An open unit of work; see the module documentation.
pub struct Unit {
    txn: WriteTxn,
    outbox: Outbox,
}

impl Unit {
    /// Begins a write transaction on `db` whose messages go to `outbox`.
    pub async fn begin(db: &Db, outbox: &Outbox) -> Result<Self, DbErr> {
        Ok(Self {
            txn: db.begin().await?,
            outbox: outbox.clone(),
        })
    }

    /// Adds `message` to the outbox in this transaction; the relay publishes it after commit.
    pub async fn publish<M: Message>(
        &self,
        message: &M,
        correlation: Option<String>,
    ) -> Result<Envelope, DbErr> {
        self.outbox.add(&*self.txn, message, correlation).await
    }

    /// Records an audit entry in this transaction (see [`audit::record`]).
    pub async fn audit(
        &self,
        actor: &Claims,
        action: &str,
        id: impl std::fmt::Display,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<(), DbErr> {
        audit::record(&*self.txn, actor, action, id, before, after).await
    }

    /// The outbox, for a helper that writes its messages itself (in one statement with its
    /// change, say) through this unit's connection. Its rows are woken for by [`Unit::commit`].
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Commits, then wakes the relay. A wake with nothing new costs the relay one empty look at
    /// the outbox; a forgotten one would leave messages waiting for the next poll.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        self.outbox.wake();
        Ok(())
    }

    /// Ends the unit without keeping anything (a no-op change found late).
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

/// The transaction, for the queries of the change.
impl Deref for Unit {
    type Target = DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}
