//! `holds`: the (space, time range) a live booking occupies. Rows exist only while the booking is
//! requested or approved; PostgreSQL's exclusion constraint refuses any overlap between them.
//! Which spaces a booking holds is the tree's rule ([`super::tree`]); the time, its slot
//! stretched by its space's buffers, is [`occupied`].

use super::spaces;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{Condition, DbBackend, Statement, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub booking_id: Uuid,
    pub space_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The time a booking of `space` occupies: its slot plus setup before and teardown after.
pub fn occupied(
    space: &spaces::Model,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start - Duration::minutes(i64::from(space.setup_minutes)),
        end + Duration::minutes(i64::from(space.teardown_minutes)),
    )
}

/// Frees the slots of bookings that no longer hold them (rejected, cancelled).
pub async fn release(conn: &impl ConnectionTrait, booking_ids: Vec<Uuid>) -> Result<(), DbErr> {
    if booking_ids.is_empty() {
        return Ok(());
    }
    Entity::delete_many()
        .filter(Column::BookingId.is_in(booking_ids))
        .exec(conn)
        .await?;
    Ok(())
}

/// A space just created under `parent` is held wherever its parent is: the live bookings of the
/// parent and of every space above it now hold it too. (It has no bookings and no closures of
/// its own yet, so nothing can clash.)
pub async fn inherit(conn: &impl ConnectionTrait, child: Uuid, parent: Uuid) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "INSERT INTO holds (booking_id, space_id, starts_at, ends_at)
             SELECT booking_id, ?1, starts_at, ends_at FROM holds WHERE space_id = ?2"
        }
        _ => {
            "INSERT INTO holds (booking_id, space_id, starts_at, ends_at)
             SELECT booking_id, $1, starts_at, ends_at FROM holds WHERE space_id = $2"
        }
    };
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [child.into(), parent.into()],
    ))
    .await?;
    Ok(())
}

/// The holds of `spaces` that meet any of `periods`.
pub async fn meeting(
    conn: &impl ConnectionTrait,
    spaces: Vec<Uuid>,
    periods: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<Vec<Model>, DbErr> {
    let mut overlapping = Condition::any();
    for &(s, e) in periods {
        overlapping = overlapping.add(
            Condition::all()
                .add(Column::StartsAt.lt(e))
                .add(Column::EndsAt.gt(s)),
        );
    }
    Entity::find()
        .filter(Column::SpaceId.is_in(spaces))
        .filter(overlapping)
        .all(conn)
        .await
}
