//! Public forms that send an email to whatever address they are given (subscribe, register)
//! must not be turned against a third party's inbox. Before such a form's email is written,
//! [`admit`] counts, in the service's own database:
//!
//! - confirmations to the address in the last 24 hours (`forms.per_recipient_per_day`);
//! - confirmations asked from the client address in the last hour (`forms.per_client_per_hour`),
//!   and of those the ones from forms posted without JavaScript (`forms.noscript_per_client_per_hour`);
//! - a confirmation for the same address and the same thing (`subject`: `subscription`,
//!   `event:<id>`, `programme:<id>`) within `forms.repeat_window_seconds`: answered as a success,
//!   but nothing is sent ([`Admitted::Quiet`]).
//!
//! Over a limit the answer is a 429 naming the field, with the seconds to wait. The table keeps
//! the SHA-256 of the lowercased address, never the address, and forgets rows after a day.
//!
//! It runs inside the transaction that writes the email: on PostgreSQL it first takes advisory
//! locks on the address's hash and on the client address (in that order, always), so concurrent
//! submissions take turns and cannot both pass the last free place; SQLite has one writer.
//!
//! It also keeps the form challenges already answered ([`spend_challenge`], see
//! [`crate::web::challenge`]), until they would have expired anyway.

use crate::{http::ApiError, settings::FormSettings};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, sea_query::OnConflict,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The `confirmation_sends` table: one row per confirmation a public form caused.
pub mod confirmation_sends {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "confirmation_sends")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Hex SHA-256 of the lowercased, trimmed address.
        pub address_hash: String,
        /// The client address that asked (empty when unknown).
        pub client: String,
        /// `subscription`, `event:<id>`, `programme:<id>`.
        pub subject: String,
        /// Posted without a solved challenge.
        pub no_script: bool,
        pub sent_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `spent_challenges` table: form challenges already answered, until they expire.
pub mod spent_challenges {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "spent_challenges")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub challenge_hash: String,
        pub expires_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// How a submission showed it comes from a person's browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// A page's form with its proof of work solved (JavaScript on).
    Solved,
    /// A page's form posted without JavaScript, late enough after the page was served: counted
    /// against the tighter no-script limit.
    NoScript,
    /// The JSON API, which takes no challenge: the address limits alone bound it.
    Api,
}

/// One confirmation a form asks to send.
#[derive(Debug, Clone)]
pub struct Ask<'a> {
    /// Where the email would go.
    pub recipient: &'a str,
    /// The request's field that holds it (named in a 429).
    pub field: &'static str,
    /// The client address that asked.
    pub client: Option<&'a str>,
    /// What it confirms: `subscription`, `event:<id>`, `programme:<id>`.
    pub subject: String,
    pub proof: Proof,
}

/// What may happen to the confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admitted {
    /// Send it (it is counted).
    Send,
    /// The same confirmation went out within the repeat window: answer as a success, send
    /// nothing.
    Quiet,
}

/// Hex SHA-256 of the trimmed, lowercased `address`.
pub fn address_hash(address: &str) -> String {
    crate::hex::lower(&Sha256::digest(address.trim().to_lowercase().as_bytes()))
}

/// A transaction-scoped advisory lock on `key` in this schema (PostgreSQL; SQLite has one
/// writer already).
async fn lock(conn: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    if conn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    conn.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || $1, 0))",
        [key.into()],
    ))
    .await?;
    Ok(())
}

/// Seconds until the oldest of the counted rows that keeps `times` (ascending) at `limit` leaves
/// the window of `window` ending now.
fn wait(times: &[DateTime<Utc>], limit: u32, window: Duration, now: DateTime<Utc>) -> u64 {
    let over = times
        .len()
        .saturating_sub(usize::try_from(limit).unwrap_or(usize::MAX));
    let leaves = times.get(over).map_or(now, |t| *t + window);
    u64::try_from((leaves - now).num_seconds())
        .unwrap_or(0)
        .max(1)
}

/// Checks `ask` against the limits and records it; inside the transaction that writes the email.
pub async fn admit(
    conn: &impl ConnectionTrait,
    settings: &FormSettings,
    ask: &Ask<'_>,
) -> Result<Admitted, ApiError> {
    use confirmation_sends::{Column, Entity};
    let now = crate::clock::now();
    let hash = address_hash(ask.recipient);
    let client = ask.client.unwrap_or_default();
    lock(conn, &format!("confirm-address:{hash}")).await?;
    lock(conn, &format!("confirm-client:{client}")).await?;
    let (day, hour) = (Duration::days(1), Duration::hours(1));
    let repeat = Duration::seconds(i64::try_from(settings.repeat_window_seconds).unwrap_or(0));
    Entity::delete_many()
        .filter(Column::SentAt.lte(now - day.max(repeat)))
        .exec(conn)
        .await?;
    if settings.repeat_window_seconds > 0 {
        let again = Entity::find()
            .filter(Column::AddressHash.eq(hash.as_str()))
            .filter(Column::Subject.eq(ask.subject.as_str()))
            .filter(Column::SentAt.gt(now - repeat))
            .count(conn)
            .await?;
        if again > 0 {
            return Ok(Admitted::Quiet);
        }
    }
    let refuse = |message: &str, retry_after: u64| ApiError::TooManyFor {
        field: ask.field,
        message: message.to_string(),
        retry_after,
    };
    let to_address: Vec<DateTime<Utc>> = Entity::find()
        .select_only()
        .column(Column::SentAt)
        .filter(Column::AddressHash.eq(hash.as_str()))
        .filter(Column::SentAt.gt(now - day))
        .order_by_asc(Column::SentAt)
        .into_tuple()
        .all(conn)
        .await?;
    let limit = settings.per_recipient_per_day;
    if to_address.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
        return Err(refuse(
            "this address has been sent as many confirmations as it may be sent today",
            wait(&to_address, limit, day, now),
        ));
    }
    let from_client: Vec<(DateTime<Utc>, bool)> = Entity::find()
        .select_only()
        .column(Column::SentAt)
        .column(Column::NoScript)
        .filter(Column::Client.eq(client))
        .filter(Column::SentAt.gt(now - hour))
        .order_by_asc(Column::SentAt)
        .into_tuple()
        .all(conn)
        .await?;
    let times: Vec<DateTime<Utc>> = from_client.iter().map(|(t, _)| *t).collect();
    let limit = settings.per_client_per_hour;
    if times.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
        return Err(refuse(
            "too many confirmations were asked from your network in the last hour",
            wait(&times, limit, hour, now),
        ));
    }
    let no_script = ask.proof == Proof::NoScript;
    if no_script {
        let times: Vec<DateTime<Utc>> = from_client
            .iter()
            .filter(|(_, n)| *n)
            .map(|(t, _)| *t)
            .collect();
        let limit = settings.noscript_per_client_per_hour;
        if times.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
            return Err(refuse(
                "too many forms were sent without JavaScript from your network in the last \
                 hour; with JavaScript on the limit is higher",
                wait(&times, limit, hour, now),
            ));
        }
    }
    Entity::insert(confirmation_sends::ActiveModel {
        id: Set(Uuid::now_v7()),
        address_hash: Set(hash),
        client: Set(client.to_string()),
        subject: Set(ask.subject.clone()),
        no_script: Set(no_script),
        sent_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(Admitted::Send)
}

/// Records the challenge whose hash is `challenge_hash` as answered; false if it was already
/// (a replay). Forgets challenges past their expiry.
pub async fn spend_challenge(
    conn: &impl ConnectionTrait,
    challenge_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use spent_challenges::{Column, Entity};
    Entity::delete_many()
        .filter(Column::ExpiresAt.lte(crate::clock::now()))
        .exec(conn)
        .await?;
    let inserted = Entity::insert(spent_challenges::ActiveModel {
        challenge_hash: Set(challenge_hash.to_string()),
        expires_at: Set(expires_at),
    })
    .on_conflict(
        OnConflict::column(Column::ChallengeHash)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(inserted > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_kept_only_as_a_hash_of_its_lowercase_form() {
        let hash = address_hash(" Mia@Example.org ");
        assert_eq!(hash, address_hash("mia@example.org"));
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("mia"));
    }

    #[test]
    fn the_wait_is_until_enough_rows_leave_the_window() {
        let now = crate::clock::now();
        let times: Vec<_> = (0..5).map(|i| now - Duration::minutes(50 - i)).collect();
        // Limit 5, five rows: the oldest (50 min ago) leaves in 10 minutes.
        assert_eq!(wait(&times, 5, Duration::hours(1), now), 600);
        // Limit 3, five rows: the third oldest (48 min ago) must leave: 12 minutes.
        assert_eq!(wait(&times, 3, Duration::hours(1), now), 720);
    }
}
