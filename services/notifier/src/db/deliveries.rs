//! `deliveries`: one row per email, unique per (kind, subject, recipient), with its state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    /// What the email is about (an event, a booking, a subscription request).
    pub subject_id: Uuid,
    pub recipient: String,
    pub subscriber_id: Option<Uuid>,
    pub language: String,
    /// What the template needs beyond the subject.
    pub context: Json,
    /// `pending`, `sending` (claimed by the sender `sender_id`), `sent`, `failed`, `cancelled`,
    /// or `unknown` (the connection broke after the email's data went out: the server may have
    /// accepted it; never resent by itself).
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// The sender holding the claim while `sending`.
    pub sender_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
