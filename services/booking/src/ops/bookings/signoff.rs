//! A sector's sign-off of a request that matched sign-off rules ([`crate::ops::signoffs`]).
//! Only a member of the sector decides for it: an administrator outside it gets 403 (the
//! point of the working group is that each sector answers for itself; an administrator may
//! still reject any request outright, [`super::reject`]).
//!
//! The series' rows are locked first ([`super::transitions::lock`]: `FOR UPDATE` on
//! PostgreSQL, the serialised write transaction on SQLite), so two sectors deciding at the same
//! moment take turns: the second reads the first's sign-off, and exactly one of them finds
//! every sector approved, moves the rows to approved and says `booking.approved`. A rejection
//! rejects the request at once, with its reason, and frees the slot.

use super::transitions::{approve_rows, lock, reject_rows, updated};
use crate::{
    db::{signoffs, tree_lock},
    domain::BookingStatus,
    error::BookingError,
    ops::signoffs::SignoffView,
    state::AppState,
    views::BookingView,
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    http::{ApiError, Violations},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a sector decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Needs a reason.
    Reject,
}

/// A sector's reason, required to reject and optional to approve.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignoffBody {
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// A booking with every sector's sign-off of it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignedBooking {
    pub booking: BookingView,
    pub signoffs: Vec<SignoffView>,
}

/// The sign-offs of booking `id` (administrators, and the operator whose booking it is).
pub async fn of_booking(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<SignedBooking, BookingError> {
    caller.require(&[Role::Admin, Role::Operator])?;
    let conn = state.db.conn();
    let booking = super::read::find(conn, id).await?;
    caller.require_owner(booking.organisation_id)?;
    let ids = match booking.series_id {
        Some(series) => crate::db::bookings::series_ids(conn, series).await?,
        None => vec![booking.id],
    };
    let signoffs = signoffs::of_bookings(conn, &ids).await?;
    Ok(SignedBooking {
        booking: booking.into(),
        signoffs: signoffs.into_iter().map(SignoffView::from).collect(),
    })
}

/// Records `sector`'s decision on booking `id` (any occurrence of the request), and approves
/// or rejects the request when that settles it.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    sector: &str,
    decision: Decision,
    body: SignoffBody,
) -> Result<SignedBooking, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let mut v = Violations::new();
    v.check(
        decision == Decision::Approve || reason.is_some(),
        "reason",
        "say why the sector rejects the booking",
    );
    v.check(
        reason.is_none_or(|r| r.chars().count() <= 1000),
        "reason",
        "must be at most 1000 characters",
    );
    v.finish()?;
    super::read::find(state.db.conn(), id).await?;
    if !claims.in_sector(sector) {
        return Err(ApiError::Forbidden(format!(
            "only members of the sector {sector} sign off for it"
        ))
        .into());
    }
    let unit = state.begin().await?;
    // A rejection releases holds: a tree change must not be rewriting them meanwhile.
    tree_lock::share(&*unit).await?;
    let (booking, series) = lock(&unit, id).await?;
    let ids: Vec<uuid::Uuid> = series.iter().map(|b| b.id).collect();
    let before = signoffs::of_bookings(&*unit, &ids).await?;
    let Some(mine) = before.iter().find(|s| s.sector == sector) else {
        return Err(ApiError::NotFound("sign-off of this sector for this booking").into());
    };
    if booking.status() != BookingStatus::Requested {
        return Err(BookingError::NotRequested(booking.status()));
    }
    if mine.status != signoffs::PENDING {
        return Err(BookingError::SignoffDecided(sector.to_string()));
    }
    let now = piazza_shared::clock::now();
    let status = match decision {
        Decision::Approve => signoffs::APPROVED,
        Decision::Reject => signoffs::REJECTED,
    };
    let key = mine.booking_id;
    if !signoffs::decide(&*unit, key, sector, status, claims.sub, reason, now).await? {
        return Err(BookingError::SignoffDecided(sector.to_string()));
    }
    let after = signoffs::of_bookings(&*unit, &ids).await?;
    let rows = match decision {
        Decision::Reject => {
            let reason = format!("{sector}: {}", reason.unwrap_or_default());
            reject_rows(&unit, &series, &reason).await?
        }
        // Read after the lock: the other sectors' decisions committed before it are seen.
        Decision::Approve if after.iter().all(|s| s.status == signoffs::APPROVED) => {
            approve_rows(&unit, &booking, &series).await?
        }
        Decision::Approve => Vec::new(),
    };
    let now_booking = BookingView::from(updated(&rows, &booking));
    unit.audit(
        &claims,
        match decision {
            Decision::Approve => "booking.signoff.approve",
            Decision::Reject => "booking.signoff.reject",
        },
        id,
        audit::json(&SignoffView::from(mine.clone())),
        Some(serde_json::json!({
            "sector": sector, "status": status, "reason": reason,
            "booking_status": now_booking.status,
        })),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(booking_id = %id, %sector, %status, actor = %claims.sub, "sign-off decided");
    Ok(SignedBooking {
        booking: now_booking,
        signoffs: after.into_iter().map(SignoffView::from).collect(),
    })
}
