//! `booked`: the scheduler's read model of the operators' bookings (one row per occurrence),
//! kept from `booking.*` messages; an event's own holds are not kept (the event is). A row only
//! moves forward — requested, then approved, then rejected or cancelled — so a message that
//! arrives late never brings a cancelled booking back.

use chrono::{DateTime, Utc};
use sea_orm::{QueryOrder, Set, entity::prelude::*};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "booked")]
pub struct Model {
    /// Booking's id of the occurrence.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub series_id: Option<Uuid>,
    pub space_id: Uuid,
    pub organisation_id: Option<Uuid>,
    pub organisation_name: Option<String>,
    pub title: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `requested`, `approved`, `rejected` or `cancelled`, as booking said last.
    pub status: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Live statuses: the booking holds its slot.
pub const LIVE: [&str; 2] = ["requested", "approved"];

/// How far along a status is; a row never goes back.
fn rank(status: &str) -> u8 {
    match status {
        "requested" => 0,
        "approved" => 1,
        _ => 2,
    }
}

/// Writes `rows` (what a message said); a known row only takes a status further along.
pub async fn record(conn: &impl ConnectionTrait, rows: Vec<Model>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let known: HashMap<Uuid, Model> = Entity::find()
        .filter(Column::Id.is_in(rows.iter().map(|r| r.id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    for row in rows {
        match known.get(&row.id) {
            None => {
                Entity::insert(ActiveModel::from(row))
                    .exec_without_returning(conn)
                    .await?;
            }
            // Only the status moves: the rest of a booking never changes.
            Some(old) if rank(&row.status) > rank(&old.status) => {
                let mut active = ActiveModel::from(old.clone());
                active.status = Set(row.status);
                active.updated_at = Set(row.updated_at);
                active.update(conn).await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Live bookings of `spaces` meeting `[from, to)`, by start.
pub async fn live_in(
    conn: &impl ConnectionTrait,
    spaces: Vec<Uuid>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::SpaceId.is_in(spaces))
        .filter(Column::Status.is_in(LIVE))
        .filter(Column::StartsAt.lt(to))
        .filter(Column::EndsAt.gt(from))
        .order_by_asc(Column::StartsAt)
        .all(conn)
        .await
}

/// The approved bookings of `org` still to come (ending after `now`), by start: where its
/// events may take place.
pub async fn approved_of(
    conn: &impl ConnectionTrait,
    org: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::OrganisationId.eq(org))
        .filter(Column::Status.eq("approved"))
        .filter(Column::StartsAt.gt(now))
        .order_by_asc(Column::StartsAt)
        .all(conn)
        .await
}
