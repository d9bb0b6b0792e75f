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

/// The stored hash of an account without a password (invited, or reset by an administrator):
/// no password matches it, as in `/etc/shadow`.
pub const NO_PASSWORD: &str = "!";

/// The addresses of the active accounts (a password set, not disabled) with `role`, and, when
/// `organisations` is given, acting for one of them; by address, each once.
pub async fn active_addresses(
    conn: &impl ConnectionTrait,
    role: &str,
    organisations: Option<&[Uuid]>,
) -> Result<Vec<String>, DbErr> {
    let mut query = Entity::find()
        .filter(Column::Role.eq(role))
        .filter(Column::DisabledAt.is_null())
        .filter(Column::PasswordHash.ne(NO_PASSWORD));
    if let Some(ids) = organisations {
        query = query.filter(Column::OrganisationId.is_in(ids.iter().copied()));
    }
    let mut addresses: Vec<String> = query
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    addresses.sort();
    addresses.dedup();
    Ok(addresses)
}

/// The addresses of the active accounts with `role` among `ids`, by address.
pub async fn active_addresses_among(
    conn: &impl ConnectionTrait,
    role: &str,
    ids: &[Uuid],
) -> Result<Vec<String>, DbErr> {
    let mut addresses: Vec<String> = Entity::find()
        .filter(Column::Role.eq(role))
        .filter(Column::DisabledAt.is_null())
        .filter(Column::PasswordHash.ne(NO_PASSWORD))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    addresses.sort();
    addresses.dedup();
    Ok(addresses)
}
