//! Whose the emails in hand are. Every sender (one per notifier process) registers a row in
//! `senders` under an id of its own and beats there every `email.heartbeat_seconds`; the
//! deliveries it claims carry that id. A sender whose beat has not moved for `email.lease_seconds`
//! — as another sender sees it, on its own clock — is taken for dead: the one that sees it deletes
//! its row and puts its claims back to `pending` in one transaction, conditional on the beat it
//! saw, so a sender that beat meanwhile keeps what it holds.
//!
//! A sender sends only while its own lease holds: it may trust its claims until `lease` after the
//! start of its last heartbeat that reached the database, because nobody can have seen that beat
//! earlier, and so nobody can take the claims over before then. It sends an email only with half
//! a lease still ahead, and stops once its heartbeat cannot renew it. A sender that finds its row
//! gone (it was taken for dead) registers again under a new id: whatever it held under the old one
//! is no longer its own.
//!
//! Liveness is judged by the beat moving, measured on the observer's monotonic clock, never by
//! comparing instants written by different processes.
//!
//! A process restarted on the same host and port need not wait for that: it has a stable name
//! (`host:port`), and holds the database's instance lock of that name while it lives (see
//! [`piazza_shared::db::InstanceLock`]). Taking the lock proves that its previous life is over,
//! so it takes back at once what rows registered under its name had claimed.

use crate::{
    config::EmailSettings,
    db::{deliveries, senders},
};
use piazza_shared::db::{Db, InstanceLock};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter,
    QuerySelect,
    sea_query::{Expr, Query},
};
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};
use uuid::Uuid;

/// This process's hold on the emails it claims.
#[derive(Debug)]
pub struct Lease {
    db: Db,
    lease: Duration,
    heartbeat: Duration,
    holder: Mutex<Holder>,
    /// Other senders' beats as last seen, and since when (on this process's clock).
    seen: Mutex<HashMap<Uuid, (i64, Instant)>>,
    /// This process's stable name, if it has one, and the instance lock once taken.
    name: Option<String>,
    instance: Mutex<Option<InstanceLock>>,
}

#[derive(Debug, Clone, Copy)]
struct Holder {
    id: Uuid,
    /// Until when claims made under `id` are surely ours; `None` before the first heartbeat.
    until: Option<Instant>,
}

impl Lease {
    /// A lease not yet registered: nothing is claimed before the first [`Lease::beat`]. `name`
    /// is the process's stable name (see [`instance_name`]), if it has one.
    pub fn new(db: Db, settings: &EmailSettings, name: Option<String>) -> Self {
        Self {
            db,
            lease: Duration::from_secs(u64::from(settings.lease_seconds)),
            heartbeat: Duration::from_secs(u64::from(settings.heartbeat_seconds)),
            holder: Mutex::new(Holder {
                id: Uuid::now_v7(),
                until: None,
            }),
            seen: Mutex::new(HashMap::new()),
            name,
            instance: Mutex::new(None),
        }
    }

    pub fn heartbeat(&self) -> Duration {
        self.heartbeat
    }

    /// How long claims stay ours after a heartbeat.
    pub fn duration(&self) -> Duration {
        self.lease
    }

    fn holder(&self) -> Holder {
        match self.holder.lock() {
            Ok(holder) => *holder,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// The id to claim under now, while at least half a lease is ahead of it.
    pub fn current(&self) -> Option<Uuid> {
        let holder = self.holder();
        self.holds(holder.id).then_some(holder.id)
    }

    /// Whether claims made under `id` are still ours, with at least half a lease ahead: enough
    /// for an email started now to be sent before anyone could take it over.
    pub fn holds(&self, id: Uuid) -> bool {
        let holder = self.holder();
        holder.id == id
            && holder
                .until
                .is_some_and(|until| Instant::now() + self.lease / 2 <= until)
    }

    /// One heartbeat: renews the lease, or registers (again, under a new id) when this sender
    /// has no row — at its start, or after another took it for dead.
    pub async fn beat(&self) -> Result<(), DbErr> {
        let started = Instant::now();
        let now = piazza_shared::clock::now();
        let holder = self.holder();
        let renewed = senders::Entity::update_many()
            .col_expr(
                senders::Column::Beat,
                Expr::col(senders::Column::Beat).add(1),
            )
            .col_expr(senders::Column::SeenAt, Expr::value(now))
            .filter(senders::Column::Id.eq(holder.id))
            .exec(self.db.conn())
            .await?
            .rows_affected;
        let id = if renewed == 1 {
            holder.id
        } else {
            let id = Uuid::now_v7();
            let name = self.claim_name().await;
            senders::Entity::insert(senders::ActiveModel {
                id: Set(id),
                beat: Set(0),
                started_at: Set(now),
                seen_at: Set(now),
                name: Set(name),
            })
            .exec_without_returning(self.db.conn())
            .await?;
            if holder.until.is_some() {
                tracing::warn!(
                    old = %holder.id,
                    new = %id,
                    "this email sender was taken for dead (no heartbeat for a lease); its claims went to others, it carries on under a new id"
                );
            } else {
                tracing::info!(sender_id = %id, "email sender registered");
            }
            id
        };
        if let Ok(mut holder) = self.holder.lock() {
            *holder = Holder {
                id,
                until: Some(started + self.lease),
            };
        }
        Ok(())
    }

    /// This process's name once it holds the instance lock for it, having taken back what its
    /// previous lives had claimed under it; `None` without a name or when a living process
    /// holds the lock (then this one waits out leases like anyone else).
    async fn claim_name(&self) -> Option<String> {
        let name = self.name.as_ref()?;
        let held = self.instance.lock().is_ok_and(|lock| lock.is_some());
        if !held {
            match self
                .db
                .try_lock_instance(&format!("email sender {name}"))
                .await
            {
                Ok(Some(lock)) => {
                    if let Ok(mut instance) = self.instance.lock() {
                        *instance = Some(lock);
                    }
                }
                Ok(None) => {
                    tracing::warn!(
                        name,
                        "another living email sender has this one's name; claims left by a crash wait for the lease"
                    );
                    return None;
                }
                Err(error) => {
                    tracing::warn!(%error, "could not take the email sender's instance lock");
                    return None;
                }
            }
        }
        match self.take_back(name).await {
            Ok(0) => {}
            Ok(freed) => {
                metrics::counter!("piazza_email_claims_taken_over_total").increment(freed);
                tracing::warn!(
                    name,
                    emails = freed,
                    "took back at once the emails this sender had claimed before it restarted"
                );
            }
            Err(error) => {
                tracing::warn!(%error, "could not take back the claims of this sender's previous run; others take them over after the lease")
            }
        }
        Some(name.clone())
    }

    /// Puts back to pending the claims of every row registered under `name`, and removes them:
    /// only a dead process can have written them, since this one holds the name's lock.
    async fn take_back(&self, name: &str) -> Result<u64, DbErr> {
        let txn = self.db.begin().await?;
        let previous: Vec<Uuid> = senders::Entity::find()
            .select_only()
            .column(senders::Column::Id)
            .filter(senders::Column::Name.eq(name))
            .into_tuple()
            .all(&*txn)
            .await?;
        let mut freed = 0;
        for id in &previous {
            freed += give_back(&*txn, *id).await?;
        }
        senders::Entity::delete_many()
            .filter(senders::Column::Id.is_in(previous))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(freed)
    }

    /// Takes over the claims of senders whose beat has not moved for a lease, and of any sender
    /// that is no longer registered; returns how many emails were put back to be sent.
    pub async fn take_over_silent(&self) -> Result<u64, DbErr> {
        let own = self.holder().id;
        let rows: Vec<(Uuid, i64)> = senders::Entity::find()
            .select_only()
            .column(senders::Column::Id)
            .column(senders::Column::Beat)
            .into_tuple()
            .all(self.db.conn())
            .await?;
        let now = Instant::now();
        let silent: Vec<(Uuid, i64)> = {
            let Ok(mut seen) = self.seen.lock() else {
                return Ok(0);
            };
            seen.retain(|id, _| rows.iter().any(|(other, _)| other == id));
            rows.iter()
                .filter(|(id, _)| *id != own)
                .filter_map(|&(id, beat)| match seen.get(&id) {
                    Some(&(last, since)) if last == beat => {
                        (now.duration_since(since) >= self.lease).then_some((id, beat))
                    }
                    _ => {
                        seen.insert(id, (beat, now));
                        None
                    }
                })
                .collect()
        };
        let mut freed = 0;
        for (id, beat) in silent {
            freed += self.declare_dead(id, beat).await?;
        }
        freed += self.free_orphans().await?;
        if freed > 0 {
            metrics::counter!("piazza_email_claims_taken_over_total").increment(freed);
        }
        Ok(freed)
    }

    /// Deletes sender `id` if its beat is still `beat`, and puts its claims back to pending.
    async fn declare_dead(&self, id: Uuid, beat: i64) -> Result<u64, DbErr> {
        let txn = self.db.begin().await?;
        let gone = senders::Entity::delete_many()
            .filter(senders::Column::Id.eq(id))
            .filter(senders::Column::Beat.eq(beat))
            .exec(&*txn)
            .await?
            .rows_affected;
        if gone == 0 {
            // It beat meanwhile (or another sender took it over first).
            txn.commit().await?;
            return Ok(0);
        }
        let freed = give_back(&*txn, id).await?;
        txn.commit().await?;
        if let Ok(mut seen) = self.seen.lock() {
            seen.remove(&id);
        }
        tracing::warn!(
            sender_id = %id,
            emails = freed,
            "an email sender stopped beating for a lease; its claimed emails are sent by others"
        );
        Ok(freed)
    }

    /// Claims held under an id no sender holds any more (a claim that raced with its holder being
    /// taken for dead): back to pending.
    async fn free_orphans(&self) -> Result<u64, DbErr> {
        let registered = Query::select()
            .column(senders::Column::Id)
            .from(senders::Entity)
            .to_owned();
        let orphans = Condition::all()
            .add(deliveries::Column::SenderId.is_not_null())
            .add(deliveries::Column::SenderId.not_in_subquery(registered));
        let freed =
            deliveries::release(self.db.conn(), orphans, piazza_shared::clock::now()).await?;
        if freed > 0 {
            tracing::warn!(
                emails = freed,
                "emails claimed by an email sender no longer registered are sent by others"
            );
        }
        Ok(freed)
    }

    /// At shutdown: gives back whatever this sender still holds and removes its row, so others
    /// need not wait out the lease.
    pub async fn leave(&self) -> Result<(), DbErr> {
        let id = self.holder().id;
        if let Ok(mut holder) = self.holder.lock() {
            holder.until = None;
        }
        let txn = self.db.begin().await?;
        give_back(&*txn, id).await?;
        senders::Entity::delete_by_id(id).exec(&*txn).await?;
        txn.commit().await
    }
}

/// Puts the emails claimed under `id` back to pending, due now; returns how many.
pub async fn give_back(conn: &impl ConnectionTrait, id: Uuid) -> Result<u64, DbErr> {
    let theirs = Condition::all().add(deliveries::Column::SenderId.eq(id));
    deliveries::release(conn, theirs, piazza_shared::clock::now()).await
}

/// A name that stays the same when this process restarts and that no other living process has:
/// the host's name and the HTTP port. `None` on port 0 (a port picked at random, as in tests):
/// every such process would share the name.
pub fn instance_name(listen: std::net::SocketAddr) -> Option<String> {
    if listen.port() == 0 {
        return None;
    }
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    Some(format!("{host}:{}", listen.port()))
}
