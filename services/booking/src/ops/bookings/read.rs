//! Reading bookings (one, or a page of them as the caller may see them) and what other
//! services hear about a set of occurrences.

use crate::{
    db::{
        bookings::{self, Listing},
        spaces,
    },
    domain::BookingStatus,
    error::BookingError,
    state::AppState,
    views::BookingView,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::{
        FundingLine,
        booking::{BookedDate, BookingSummary},
    },
    http::{ApiError, Violations, page},
    time::{Bound, parse_bound},
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Every occurrence of `rows`, by start, as other services hear about them.
pub fn dates(rows: &[bookings::Model]) -> Vec<BookedDate> {
    let mut dates: Vec<BookedDate> = rows
        .iter()
        .map(|b| BookedDate {
            booking_id: b.id,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
        })
        .collect();
    dates.sort_by_key(|d| (d.starts_at, d.booking_id));
    dates
}

/// What other services hear about a set of occurrences: the first one, how many, and each, with
/// the funding line of their space ([`spaces::Model::funding_line`]).
pub fn summary(
    rows: &[bookings::Model],
    funding_line: Option<FundingLine>,
) -> Option<BookingSummary> {
    let first = rows.iter().min_by_key(|b| b.starts_at)?;
    Some(BookingSummary {
        booking_id: first.id,
        series_id: first.series_id,
        space_id: first.space_id,
        title: first.title.clone(),
        starts_at: first.starts_at,
        ends_at: first.ends_at,
        occurrences: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        organisation: first.organisation_name.clone(),
        contact_email: first.contact_email.clone(),
        event_id: first.event_id,
        organisation_id: first.organisation_id,
        dates: dates(rows),
        uses_booking_id: first.uses_booking_id,
        funding_line,
    })
}

/// [`summary`] of `rows`, reading their space's funding line.
pub async fn announced(
    conn: &impl ConnectionTrait,
    rows: &[bookings::Model],
) -> Result<Option<BookingSummary>, sea_orm::DbErr> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let funding_line = spaces::funding_line(conn, first.space_id).await?;
    Ok(summary(rows, funding_line))
}

/// The booking `id`, or 404.
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<bookings::Model, BookingError> {
    Ok(bookings::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("booking"))?)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BookingFilter {
    pub space_id: Option<Uuid>,
    pub status: Option<BookingStatus>,
    /// RFC 3339 instant or `YYYY-MM-DD`.
    pub from: Option<String>,
    /// RFC 3339 instant or `YYYY-MM-DD` (that whole day included).
    pub to: Option<String>,
    pub event_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// Bookings by start time; operators see their organisation's only.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: BookingFilter,
) -> Result<page::Page<BookingView>, BookingError> {
    let claims = caller.require(&[Role::Operator, Role::Admin])?;
    let limit = page::limit(filter.limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = page::decode_cursor(filter.cursor.as_deref())?;
    let zone = state.settings.time_zone;
    let mut v = Violations::new();
    let from = filter
        .from
        .as_deref()
        .and_then(|f| v.take("from", parse_bound(f, zone, Bound::Start)));
    let to = filter
        .to
        .as_deref()
        .and_then(|t| v.take("to", parse_bound(t, zone, Bound::End)));
    v.finish()?;
    let listing = Listing {
        organisation: (claims.role == Role::Operator).then_some(claims.org),
        space_id: filter.space_id,
        status: filter.status,
        event_id: filter.event_id,
        from,
        to,
        after,
        limit: limit + 1,
    };
    let rows = bookings::list(state.db.conn(), &listing).await?;
    Ok(page::page(
        rows,
        limit,
        |b| (b.starts_at, b.id),
        BookingView::from,
    ))
}

/// One booking, for administrators and its organisation.
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> Result<BookingView, BookingError> {
    caller.require(&[Role::Operator, Role::Admin])?;
    let booking = find(state.db.conn(), id).await?;
    caller.require_owner(booking.organisation_id)?;
    Ok(booking.into())
}
