//! `signoff_rules` and `booking_signoffs`: the rules an administrator writes saying which
//! bookings wait for which sectors, and each waiting booking's sign-offs, one row per sector,
//! keyed by the first occurrence of the request (a series waits once).

use chrono::{DateTime, Utc};
use sea_orm::{QueryOrder, entity::prelude::*, sea_query::Expr};
use uuid::Uuid;

/// A sign-off rule: bookings of `space_kind` and/or of at least `min_attendees` people (and, when
/// set, in `space_id` or anything under it) wait for each of `sectors` (codes, comma-separated).
pub mod rule {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "signoff_rules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub space_kind: Option<String>,
        pub min_attendees: Option<i32>,
        pub space_id: Option<Uuid>,
        pub sectors: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// The sectors' codes.
        pub fn codes(&self) -> Vec<String> {
            self.sectors
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        }
    }
}

/// One sector's sign-off of a booking: `pending`, `approved` or `rejected`.
pub mod signoff {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "booking_signoffs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub booking_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub sector: String,
        pub status: String,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
        pub reason: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";

/// Every rule, oldest first.
pub async fn rules(conn: &impl ConnectionTrait) -> Result<Vec<rule::Model>, DbErr> {
    rule::Entity::find()
        .order_by_asc(rule::Column::CreatedAt)
        .order_by_asc(rule::Column::Id)
        .all(conn)
        .await
}

/// The sign-offs of the bookings `ids` (the occurrences of one request), by sector.
pub async fn of_bookings(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<signoff::Model>, DbErr> {
    signoff::Entity::find()
        .filter(signoff::Column::BookingId.is_in(ids.iter().copied()))
        .order_by_asc(signoff::Column::Sector)
        .all(conn)
        .await
}

/// Writes a pending sign-off of `booking` for each of `sectors`.
pub async fn open(
    conn: &impl ConnectionTrait,
    booking: Uuid,
    sectors: &[String],
) -> Result<(), DbErr> {
    if sectors.is_empty() {
        return Ok(());
    }
    signoff::Entity::insert_many(sectors.iter().map(|sector| {
        signoff::ActiveModel::from(signoff::Model {
            booking_id: booking,
            sector: sector.clone(),
            status: PENDING.into(),
            decided_by: None,
            decided_at: None,
            reason: None,
        })
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Records `sector`'s decision on `booking` if it is still pending; whether it was.
pub async fn decide(
    conn: &impl ConnectionTrait,
    booking: Uuid,
    sector: &str,
    status: &str,
    by: Uuid,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let changed = signoff::Entity::update_many()
        .col_expr(signoff::Column::Status, Expr::value(status))
        .col_expr(signoff::Column::DecidedBy, Expr::value(by))
        .col_expr(signoff::Column::DecidedAt, Expr::value(at))
        .col_expr(
            signoff::Column::Reason,
            Expr::value(reason.map(str::to_string)),
        )
        .filter(signoff::Column::BookingId.eq(booking))
        .filter(signoff::Column::Sector.eq(sector))
        .filter(signoff::Column::Status.eq(PENDING))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

/// The sign-offs `sector` has in `status`, oldest request first (ids are time-ordered).
pub async fn queue(
    conn: &impl ConnectionTrait,
    sector: &str,
    status: &str,
) -> Result<Vec<signoff::Model>, DbErr> {
    signoff::Entity::find()
        .filter(signoff::Column::Sector.eq(sector))
        .filter(signoff::Column::Status.eq(status))
        .order_by_asc(signoff::Column::BookingId)
        .all(conn)
        .await
}
