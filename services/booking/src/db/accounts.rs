//! `accounts`: people who log in (administrators, operators, evaluators).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased.
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// Raised to end every session: tokens carry the version they were issued under.
    pub session_version: i64,
    /// Set while the account may not log in.
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
