//! `bookings`: one row per occurrence; a recurring request shares a `series_id`. The queries of
//! listing, locking and moving bookings between statuses.

use super::holds;
use crate::domain::BookingStatus;
use chrono::{DateTime, Utc};
use sea_orm::{Condition, ExprTrait, QueryOrder, QuerySelect, entity::prelude::*, sea_query::Expr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub series_id: Option<Uuid>,
    pub space_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    pub requested_by: Option<Uuid>,
    pub contact_email: Option<String>,
    pub title: String,
    pub attendees: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `requested`, `approved`, `rejected` or `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub event_id: Option<Uuid>,
    /// The organisation's own approved booking this event's row uses: the row holds no slot of
    /// its own ([`super::own`]).
    pub uses_booking_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored status (an unknown name reads as cancelled: it holds nothing).
    pub fn status(&self) -> BookingStatus {
        BookingStatus::parse(&self.status).unwrap_or(BookingStatus::Cancelled)
    }
}

/// What a listing asks for; `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// `Some(None)`: an operator without an organisation, who sees nothing rather than everything.
    pub organisation: Option<Option<Uuid>>,
    pub space_id: Option<Uuid>,
    pub status: Option<BookingStatus>,
    pub event_id: Option<Uuid>,
    /// Bookings ending after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Bookings starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// The page's cursor: after this start and id.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    /// Rows to read (one more than a page, to know whether another follows).
    pub limit: u64,
}

/// Bookings by start time (then id), as `listing` asks.
pub async fn list(conn: &impl ConnectionTrait, listing: &Listing) -> Result<Vec<Model>, DbErr> {
    let mut query = Entity::find();
    match listing.organisation {
        None => {}
        Some(Some(org)) => query = query.filter(Column::OrganisationId.eq(org)),
        Some(None) => query = query.filter(Expr::val(1).eq(0)),
    }
    if let Some(space) = listing.space_id {
        query = query.filter(Column::SpaceId.eq(space));
    }
    if let Some(status) = listing.status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(event) = listing.event_id {
        query = query.filter(Column::EventId.eq(event));
    }
    if let Some(from) = listing.from {
        query = query.filter(Column::EndsAt.gt(from));
    }
    if let Some(to) = listing.to {
        query = query.filter(Column::StartsAt.lt(to));
    }
    if let Some((at, id)) = listing.after {
        query = query.filter(
            Condition::any()
                .add(Column::StartsAt.gt(at))
                .add(Column::StartsAt.eq(at).and(Column::Id.gt(id))),
        );
    }
    query
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .limit(listing.limit)
        .all(conn)
        .await
}

/// `booking` and, when it belongs to a series, every other occurrence, locked for the rest of the
/// transaction (PostgreSQL: `FOR UPDATE`, ids ascending, so two transitions of one series take
/// their locks in the same order; SQLite: the write transaction is serialised), by start time.
/// Read after the lock, the statuses are the ones a transition will change.
pub async fn lock_series(
    conn: &impl ConnectionTrait,
    booking: &Model,
) -> Result<Vec<Model>, DbErr> {
    let query = Entity::find().filter(match booking.series_id {
        Some(series) => Condition::any()
            .add(Column::Id.eq(booking.id))
            .add(Column::SeriesId.eq(series)),
        None => Condition::all().add(Column::Id.eq(booking.id)),
    });
    let mut rows = query
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .all(conn)
        .await?;
    rows.sort_by_key(|b| b.starts_at);
    Ok(rows)
}

/// The live bookings held for `event_id`, locked (ids ascending, as [`lock_series`] locks them).
pub async fn lock_live_of_event(
    conn: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::EventId.eq(event_id))
        .filter(Column::Status.is_in(BookingStatus::live_names()))
        .order_by_asc(Column::Id)
        .lock_exclusive()
        .all(conn)
        .await
}

/// Moves the bookings `ids` that are in one of the `from` statuses to `to` (and `reason`), as one
/// conditional update, and frees the holds of those that no longer hold a slot. Returns how many
/// rows changed: fewer than `ids` means some were no longer in a `from` status.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    from: &[BookingStatus],
    to: BookingStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let changed = Entity::update_many()
        .col_expr(Column::Status, Expr::value(to.as_str()))
        .col_expr(Column::Reason, Expr::value(reason.map(str::to_string)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.is_in(ids.to_vec()))
        .filter(Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(conn)
        .await?
        .rows_affected;
    if !to.holds_slot() {
        holds::release(conn, ids.to_vec()).await?;
    }
    Ok(changed)
}

/// Removes bookings just written in this transaction (and their holds): a request undone.
pub async fn remove(conn: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<(), DbErr> {
    holds::release(conn, ids.clone()).await?;
    Entity::delete_many()
        .filter(Column::Id.is_in(ids))
        .exec(conn)
        .await?;
    Ok(())
}

/// The ids of every occurrence of `series`.
pub async fn series_ids(conn: &impl ConnectionTrait, series: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(Entity::find()
        .filter(Column::SeriesId.eq(series))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect())
}
