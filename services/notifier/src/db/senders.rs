//! `senders`: the email senders at work, one row per notifier process, each beating while it
//! works; a delivery in `sending` belongs to one of them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "senders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Counts the heartbeats; others judge liveness by whether it moves, on their own clock.
    pub beat: i64,
    pub started_at: DateTimeUtc,
    /// The last heartbeat, for people reading the table.
    pub seen_at: DateTimeUtc,
    /// The process's stable name (host and listening port), when it has one: a process
    /// restarted under it takes back what this row's claims at once.
    pub name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
