//! A space's held slots as iCalendar (RFC 5545), for anyone to subscribe to. Titles only: no
//! organisation, no contact, no attendees.

use super::{range, spaces::find};
use crate::{
    db::{bookings, holds},
    domain::BookingStatus,
    error::BookingError,
    state::AppState,
};
use chrono::Duration;
use piazza_shared::{
    http::Violations,
    ics,
    time::{Bound, parse_bound},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedRange {
    /// RFC 3339 instant or `YYYY-MM-DD`; default 30 days ago.
    pub from: Option<String>,
    /// RFC 3339 instant or `YYYY-MM-DD` (that whole day included); default a year after `from`.
    pub to: Option<String>,
}

/// Longest range one feed may cover.
const MAX_FEED_DAYS: i64 = 800;

/// The held slots of the space `id` (its own bookings and those of spaces around it that take
/// it too), requested ones as TENTATIVE, approved ones as CONFIRMED, as calendar text.
pub async fn space_calendar(
    state: &AppState,
    id: Uuid,
    range: FeedRange,
) -> Result<String, BookingError> {
    let space = find(state.db.conn(), id).await?;
    let zone = space.zone(state.settings.time_zone);
    let mut v = Violations::new();
    let from = match &range.from {
        Some(text) => v.take("from", parse_bound(text, zone, Bound::Start)),
        None => Some(piazza_shared::clock::now() - Duration::days(30)),
    };
    let to = match (&range.to, from) {
        (Some(text), _) => v.take("to", parse_bound(text, zone, Bound::End)),
        (None, Some(from)) => Some(from + Duration::days(365)),
        (None, None) => None,
    };
    let (from, to) = range::checked(v, from, to, MAX_FEED_DAYS)?;
    let held: Vec<Uuid> = holds::Entity::find()
        .filter(holds::Column::SpaceId.eq(id))
        .filter(holds::Column::StartsAt.lt(to))
        .filter(holds::Column::EndsAt.gt(from))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|h| h.booking_id)
        .collect();
    let rows = if held.is_empty() {
        Vec::new()
    } else {
        bookings::Entity::find()
            .filter(bookings::Column::Id.is_in(held))
            .order_by_asc(bookings::Column::StartsAt)
            .all(state.db.conn())
            .await?
    };
    let mut calendar = ics::Calendar::with_capacity(&space.name, 512 + rows.len() * 300);
    let location = format!("{}, {}, {}", space.name, space.building, space.address);
    for booking in &rows {
        let status = match booking.status() {
            BookingStatus::Approved => ics::Status::Confirmed,
            BookingStatus::Requested => ics::Status::Tentative,
            BookingStatus::Rejected | BookingStatus::Cancelled => continue,
        };
        calendar.event(&ics::Event {
            uid: format!("{}@booking.piazza", booking.id),
            // Only the status changes while a slot is held (requested → approved).
            sequence: u32::from(status == ics::Status::Confirmed),
            stamp: booking.updated_at,
            starts_at: booking.starts_at,
            ends_at: booking.ends_at,
            summary: booking.title.clone(),
            description: String::new(),
            location: Some(location.clone()),
            categories: Vec::new(),
            status,
            url: None,
        });
    }
    Ok(calendar.finish())
}
