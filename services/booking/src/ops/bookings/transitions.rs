//! A booking's transitions: approve and reject (requested → approved or rejected, for every
//! requested occurrence of its series) and cancel (an occurrence, the following ones or the
//! whole series). Each locks the series' rows, checks the status it read under the lock, moves
//! the rows with one conditional update ([`bookings::set_status`]), so each transition happens
//! and is announced once, and says so in a `booking.*` message.

use super::read::{announced, dates, find};
use crate::{
    db::{bookings, own, signoffs, tree_lock},
    domain::BookingStatus,
    error::BookingError,
    state::AppState,
    views::BookingView,
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::booking::{BookingApproved, BookingCancelled, BookingRejected},
    http::{ApiError, Violations},
    unit::Unit,
};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The booking `id` and its whole series, locked ([`bookings::lock_series`]).
pub(super) async fn lock(
    unit: &Unit,
    id: Uuid,
) -> Result<(bookings::Model, Vec<bookings::Model>), BookingError> {
    let found = find(&**unit, id).await?;
    let rows = bookings::lock_series(&**unit, &found).await?;
    let booking = rows
        .iter()
        .find(|b| b.id == id)
        .cloned()
        .ok_or(ApiError::NotFound("booking"))?;
    Ok((booking, rows))
}

/// Moves `rows` from one of the `from` statuses to `to` (and `reason`), or refuses with
/// [`BookingError::Changed`] when any row is no longer in a `from` status (the unit then rolls
/// back, so nothing is half done).
async fn set_status(
    unit: &Unit,
    rows: &mut [bookings::Model],
    from: &[BookingStatus],
    to: BookingStatus,
    reason: Option<&str>,
) -> Result<(), BookingError> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = piazza_shared::clock::now();
    let ids: Vec<Uuid> = rows.iter().map(|b| b.id).collect();
    let changed = bookings::set_status(&**unit, &ids, from, to, reason, now).await?;
    if changed != rows.len() as u64 {
        return Err(BookingError::Changed);
    }
    for row in rows.iter_mut() {
        row.status = to.as_str().to_string();
        row.reason = reason.map(str::to_string);
        row.updated_at = now;
    }
    Ok(())
}

/// The rows of `rows` in `status`.
fn in_status(rows: &[bookings::Model], status: BookingStatus) -> Vec<bookings::Model> {
    rows.iter()
        .filter(|b| b.status() == status)
        .cloned()
        .collect()
}

/// `id` as it is now among `rows` (or as it was, when the transition left it alone).
pub(super) fn updated(rows: &[bookings::Model], booking: &bookings::Model) -> bookings::Model {
    rows.iter()
        .find(|b| b.id == booking.id)
        .cloned()
        .unwrap_or_else(|| booking.clone())
}

/// Approves a requested booking (every requested occurrence of its series). A request that
/// waits for sectors' sign-offs is approved by them ([`super::signoff`]), not here.
pub async fn approve(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<BookingView, BookingError> {
    caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let (booking, series) = lock(&unit, id).await?;
    if booking.status() != BookingStatus::Requested {
        return Err(BookingError::NotRequested(booking.status()));
    }
    let ids: Vec<Uuid> = series.iter().map(|b| b.id).collect();
    let waiting: Vec<String> = signoffs::of_bookings(&*unit, &ids)
        .await?
        .into_iter()
        .filter(|s| s.status != signoffs::APPROVED)
        .map(|s| s.sector)
        .collect();
    if !waiting.is_empty() {
        return Err(BookingError::SignoffsPending(waiting));
    }
    let rows = approve_rows(&unit, &booking, &series).await?;
    let after = BookingView::from(updated(&rows, &booking));
    let before = BookingView::from(booking);
    let (before_json, after_json) = (audit::json(&before), audit::json(&after));
    unit.audit(&caller.0, "booking.approve", id, before_json, after_json)
        .await?;
    unit.commit().await?;
    tracing::info!(booking_id = %id, occurrences = rows.len(), actor = %caller.0.sub, "booking approved");
    Ok(after)
}

/// Moves the requested rows of `series` (locked) to approved and says `booking.approved`, in
/// `unit`; returns the rows moved.
pub(super) async fn approve_rows(
    unit: &Unit,
    booking: &bookings::Model,
    series: &[bookings::Model],
) -> Result<Vec<bookings::Model>, BookingError> {
    let mut rows = in_status(series, BookingStatus::Requested);
    let from = [BookingStatus::Requested];
    set_status(unit, &mut rows, &from, BookingStatus::Approved, None).await?;
    if let Some(summary) = announced(&**unit, &rows).await? {
        let correlation = booking.event_id.map(|e| e.to_string());
        let message = BookingApproved {
            version: 1,
            booking: summary,
        };
        unit.publish(&message, correlation).await?;
    }
    Ok(rows)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    #[schema(pattern = "\\S")]
    pub reason: String,
}

/// Rejects a requested booking (every requested occurrence of its series), freeing its slots.
pub async fn reject(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: RejectBody,
) -> Result<BookingView, BookingError> {
    caller.require(&[Role::Admin])?;
    let reason = body.reason.trim();
    let mut v = Violations::new();
    v.check(
        !reason.is_empty(),
        "reason",
        "say why the booking is rejected",
    );
    v.check(
        reason.chars().count() <= 1000,
        "reason",
        "must be at most 1000 characters",
    );
    v.finish()?;
    let unit = state.begin().await?;
    // Holds are released: a tree change must not be rewriting them meanwhile.
    tree_lock::share(&*unit).await?;
    let (booking, series) = lock(&unit, id).await?;
    if booking.status() != BookingStatus::Requested {
        return Err(BookingError::NotRequested(booking.status()));
    }
    let rows = reject_rows(&unit, &series, reason).await?;
    let after = BookingView::from(updated(&rows, &booking));
    let before = BookingView::from(booking);
    let (before_json, after_json) = (audit::json(&before), audit::json(&after));
    unit.audit(&caller.0, "booking.reject", id, before_json, after_json)
        .await?;
    unit.commit().await?;
    tracing::info!(booking_id = %id, actor = %caller.0.sub, "booking rejected");
    Ok(after)
}

/// Moves the requested rows of `series` (locked) to rejected with `reason`, freeing their slots,
/// and says `booking.rejected`, in `unit` (which holds the tree lock shared); returns the rows
/// moved.
pub(super) async fn reject_rows(
    unit: &Unit,
    series: &[bookings::Model],
    reason: &str,
) -> Result<Vec<bookings::Model>, BookingError> {
    let mut rows = in_status(series, BookingStatus::Requested);
    let from = [BookingStatus::Requested];
    let to = BookingStatus::Rejected;
    set_status(unit, &mut rows, &from, to, Some(reason)).await?;
    if let Some(first) = rows.iter().min_by_key(|b| b.starts_at) {
        let message = BookingRejected {
            version: 1,
            booking_id: Some(first.id),
            space_id: first.space_id,
            event_id: first.event_id,
            reason: reason.to_string(),
            contact_email: first.contact_email.clone(),
            title: first.title.clone(),
            starts_at: first.starts_at,
            ends_at: first.ends_at,
            conflicts: vec![],
            dates: dates(&rows),
        };
        let correlation = first.event_id.map(|e| e.to_string());
        unit.publish(&message, correlation).await?;
    }
    Ok(rows)
}

/// Which occurrences a cancellation covers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CancelScope {
    /// Only this occurrence.
    #[default]
    Occurrence,
    /// This occurrence and the later ones of its series.
    Following,
    /// Every live occurrence of its series.
    Series,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub scope: CancelScope,
}

/// Cancels a requested or approved booking (owner or admin), freeing its slots.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: CancelBody,
) -> Result<BookingView, BookingError> {
    caller.require(&[Role::Operator, Role::Admin])?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        return Err(ApiError::field("reason", "must be at most 1000 characters").into());
    }
    let unit = state.begin().await?;
    // Holds are released: a tree change must not be rewriting them meanwhile.
    tree_lock::share(&*unit).await?;
    let (booking, series) = lock(&unit, id).await?;
    caller.require_owner(booking.organisation_id)?;
    if !booking.status().holds_slot() {
        return Err(BookingError::NotLive(booking.status()));
    }
    let mut rows: Vec<bookings::Model> = match body.scope {
        CancelScope::Occurrence => vec![booking.clone()],
        scope => series
            .into_iter()
            .filter(|b| {
                b.status().holds_slot()
                    && (scope == CancelScope::Series || b.starts_at >= booking.starts_at)
            })
            .collect(),
    };
    // An event taking place in the booking keeps it: the event is cancelled or moved first
    // (the rows are locked, so an event placed at the same moment is seen here).
    let ids: Vec<Uuid> = rows.iter().map(|b| b.id).collect();
    let users = own::in_use(&*unit, &ids).await?;
    if !users.is_empty() {
        return Err(BookingError::InUse(
            users
                .iter()
                .map(|u| {
                    serde_json::json!({
                        "booking_id": u.uses_booking_id, "event_id": u.event_id,
                        "title": u.title, "starts_at": u.starts_at, "ends_at": u.ends_at,
                        "reason": "an event takes place in this booking",
                    })
                })
                .collect(),
        ));
    }
    let from = BookingStatus::LIVE;
    set_status(&unit, &mut rows, &from, BookingStatus::Cancelled, reason).await?;
    if let Some(summary) = announced(&*unit, &rows).await? {
        let correlation = booking.event_id.map(|e| e.to_string());
        let message = BookingCancelled {
            version: 1,
            booking: summary,
            reason: reason.map(str::to_string),
        };
        unit.publish(&message, correlation).await?;
    }
    let updated = updated(&rows, &booking);
    // An operator cancelling its own booking is its business; an administrator cancelling
    // someone's is an administrative action and goes in the audit log.
    if caller.is_admin() {
        let before = audit::json(&BookingView::from(booking));
        let after = audit::json(&BookingView::from(updated.clone()));
        unit.audit(&caller.0, "booking.cancel", id, before, after)
            .await?;
    }
    unit.commit().await?;
    tracing::info!(booking_id = %id, occurrences = rows.len(), actor = %caller.0.sub, "booking cancelled");
    Ok(updated.into())
}
