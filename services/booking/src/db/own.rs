//! An organisation's own approved bookings, used by its events. When an operator's event asks
//! for a slot that one of the organisation's approved bookings of the same space covers entirely,
//! the event's booking row points at that booking (`uses_booking_id`) and holds nothing itself:
//! the space stays held once, by the operator's booking. A booking in use cannot be cancelled
//! until the event lets it go ([`in_use`]).

use super::bookings;
use crate::domain::BookingStatus;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// A slot, as placement asks for it.
pub type Slot = (DateTime<Utc>, DateTime<Utc>);

/// For each of `slots` that an approved booking of `org` in `space` covers entirely (a booking
/// of its own, not an event's, and not used by another live event at an overlapping time), that
/// booking. The bookings are locked for the rest of the transaction (ids ascending, as the
/// booking API locks them), so a cancel at the same moment waits and then finds them in use.
pub async fn covering(
    conn: &impl ConnectionTrait,
    space: Uuid,
    org: Uuid,
    slots: &[Slot],
) -> Result<HashMap<Slot, Uuid>, DbErr> {
    let (Some(from), Some(to)) = (
        slots.iter().map(|s| s.0).min(),
        slots.iter().map(|s| s.1).max(),
    ) else {
        return Ok(HashMap::new());
    };
    let own = bookings::Entity::find()
        .filter(bookings::Column::SpaceId.eq(space))
        .filter(bookings::Column::OrganisationId.eq(org))
        .filter(bookings::Column::Status.eq(BookingStatus::Approved.as_str()))
        .filter(bookings::Column::EventId.is_null())
        .filter(bookings::Column::UsesBookingId.is_null())
        .filter(bookings::Column::StartsAt.lte(to))
        .filter(bookings::Column::EndsAt.gte(from))
        .order_by_asc(bookings::Column::Id)
        .lock_exclusive()
        .all(conn)
        .await?;
    if own.is_empty() {
        return Ok(HashMap::new());
    }
    let used = bookings::Entity::find()
        .filter(bookings::Column::UsesBookingId.is_in(own.iter().map(|b| b.id)))
        .filter(bookings::Column::Status.is_in(BookingStatus::live_names()))
        .all(conn)
        .await?;
    let mut found = HashMap::new();
    for &slot in slots {
        let free = own.iter().find(|b| {
            b.starts_at <= slot.0
                && slot.1 <= b.ends_at
                && !used.iter().any(|u| {
                    u.uses_booking_id == Some(b.id) && u.starts_at < slot.1 && slot.0 < u.ends_at
                })
        });
        if let Some(booking) = free {
            found.insert(slot, booking.id);
        }
    }
    Ok(found)
}

/// The live event rows using any of `booking_ids`.
pub async fn in_use(
    conn: &impl ConnectionTrait,
    booking_ids: &[Uuid],
) -> Result<Vec<bookings::Model>, DbErr> {
    if booking_ids.is_empty() {
        return Ok(Vec::new());
    }
    bookings::Entity::find()
        .filter(bookings::Column::UsesBookingId.is_in(booking_ids.to_vec()))
        .filter(bookings::Column::Status.is_in(BookingStatus::live_names()))
        .order_by_asc(bookings::Column::StartsAt)
        .all(conn)
        .await
}
