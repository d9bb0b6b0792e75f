//! `/api/v1/bookings`: operators request slots (single or recurring), administrators approve or
//! reject, owners and administrators cancel. Every change leaves a `booking.*` message.

use super::views::BookingView;
use crate::{
    db::{bookings, spaces},
    domain::{BookingStatus, SpaceStatus},
    opening,
    placement::{self, Conflict, PlaceError},
    quota,
    state::AppState,
    tree_lock,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Claims, Role},
    contracts::booking::{
        BookingApproved, BookingCancelled, BookingRejected, BookingRequested, BookingSummary,
    },
    http::{ApiError, Json, Path, Problem, Query, Violations, page},
    recurrence::{self, RecurrenceError},
    time::{Bound, parse_bound, parse_instant, parse_zone},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    pub space_id: Uuid,
    pub title: String,
    /// RFC 3339 with offset.
    pub starts_at: String,
    pub ends_at: String,
    pub attendees: i64,
    /// RFC 5545 RRULE, e.g. `FREQ=WEEKLY;COUNT=8`, expanded in the space's zone.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Book the free occurrences and list the others, instead of refusing the whole series.
    #[serde(default)]
    pub skip_conflicts: bool,
}

/// A booking just made: the first occurrence, all occurrences and what was skipped.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedBooking {
    #[serde(flatten)]
    pub booking: BookingView,
    pub occurrences: Vec<BookingView>,
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<serde_json::Value>,
}

fn conflict_values(conflicts: &[Conflict]) -> Vec<serde_json::Value> {
    conflicts
        .iter()
        .map(|c| serde_json::to_value(c).unwrap_or_default())
        .collect()
}

/// What other services hear about a set of occurrences.
pub fn summary(rows: &[bookings::Model]) -> Option<BookingSummary> {
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
    })
}

/// Requests a space, once or as a recurring series.
#[utoipa::path(
    post,
    path = "/api/v1/bookings",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    request_body = NewBooking,
    responses(
        (status = 201, description = "Requested; the slot is held", body = CreatedBooking),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, description = "Unknown space", body = Problem),
        (status = 409, description = "Occurrences in conflict, each listed", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewBooking>,
) -> Result<(StatusCode, axum::Json<CreatedBooking>), ApiError> {
    let claims = caller.require(&[Role::Operator, Role::Admin])?.clone();
    let space = spaces::Entity::find_by_id(body.space_id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("space"))?;
    let zone = parse_zone(&space.time_zone).unwrap_or(state.settings.time_zone);
    let mut v = Violations::new();
    v.check(!body.title.trim().is_empty(), "title", "must not be empty");
    v.check(
        body.title.chars().count() <= 200,
        "title",
        "must be at most 200 characters",
    );
    v.check(body.attendees >= 1, "attendees", "must be at least 1");
    v.check(
        body.attendees <= i64::from(space.capacity),
        "attendees",
        format!("the space holds at most {} people", space.capacity),
    );
    v.check(
        space.status == SpaceStatus::Open.as_str(),
        "space_id",
        format!("the space is {}", space.status.replace('_', " ")),
    );
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    let mut slots = Vec::new();
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        v.check(e > s, "ends_at", "must be after starts_at");
        v.check(
            s > piazza_shared::clock::now(),
            "starts_at",
            "must be in the future",
        );
        if e > s {
            match &body.recurrence {
                None => slots.push((s, e)),
                Some(rule) => {
                    match recurrence::expand(
                        rule,
                        s,
                        e,
                        zone,
                        state.settings.booking.max_occurrences,
                    ) {
                        Ok(list) => slots = list,
                        Err(
                            error @ (RecurrenceError::Invalid(_)
                            | RecurrenceError::Unbounded
                            | RecurrenceError::TooMany(_)),
                        ) => v.add("recurrence", error.to_string()),
                    }
                }
            }
        }
    }
    let plan = match (
        slots.iter().map(|s| s.0).min(),
        slots.iter().map(|s| s.1).max(),
    ) {
        (Some(from), Some(to)) => opening::plan(state.db.conn(), &space, zone, from, to).await?,
        _ => Default::default(),
    };
    if let Some(&(s, e)) = slots.first() {
        v.check(
            plan.covers(zone, s, e),
            "starts_at",
            "outside the space's opening hours",
        );
    }
    v.finish()?;
    // Later occurrences outside the hours (a different weekday by BYDAY, a holiday) are
    // conflicts too.
    let outside: Vec<Conflict> = slots
        .iter()
        .filter(|(s, e)| !plan.covers(zone, *s, *e))
        .map(|&(s, e)| Conflict {
            starts_at: s,
            ends_at: e,
            reason: "outside the space's opening hours".into(),
            booking_id: None,
            organisation_id: None,
            space_id: space.id,
        })
        .collect();
    if !outside.is_empty() && !body.skip_conflicts {
        return Err(ApiError::conflict(
            format!("{} occurrence(s) cannot be booked", outside.len()),
            conflict_values(&outside),
        ));
    }
    let slots: Vec<_> = slots
        .into_iter()
        .filter(|&(s, e)| !outside.iter().any(|c| c.starts_at == s && c.ends_at == e))
        .collect();
    let quota = claims
        .org
        .zip(state.settings.booking.quotas.get(&space.kind).copied());
    let kind = space.kind.clone();
    let request = placement::Request {
        space,
        slots,
        title: body.title.trim().to_string(),
        attendees: i32::try_from(body.attendees).unwrap_or(1),
        status: BookingStatus::Requested,
        organisation_id: claims.org,
        organisation_name: claims.org_name.clone(),
        requested_by: Some(claims.sub),
        contact_email: Some(claims.email.clone()),
        event_id: None,
        skip_conflicts: body.skip_conflicts,
    };
    // The common case (one slot, no quota, PostgreSQL) is written in one statement; anything
    // in the way sends it down the checked path below, which names what is in the way.
    if quota.is_none() && request.slots.len() == 1 && state.db.is_postgres() {
        let (start, end) = request.slots[0];
        let row = placement::new_row(&request, start, end, None, piazza_shared::clock::now());
        let envelope = summary(std::slice::from_ref(&row)).map(|booking| {
            state.outbox.envelope(
                &BookingRequested {
                    version: 1,
                    booking,
                },
                None,
            )
        });
        if let Some(envelope) = envelope {
            // In a transaction so the tree lock is held while the statement reads the tree.
            let txn = state.db.begin().await?;
            if placement::place_at_once(&*txn, &request, &row, &envelope).await? {
                txn.commit().await?;
                state.outbox.wake();
                return Ok(created(&claims, vec![row], outside));
            }
        }
    }
    let txn = state.db.begin().await?;
    if let Some((org, _)) = quota {
        quota::lock_organisation(&*txn, org).await?;
    }
    let placed = match placement::place(&*txn, request).await {
        Ok(placed) => placed,
        Err(PlaceError::Conflicts(conflicts)) => {
            // Another organisation's booking in the way is named by its time, never its id.
            let admin = claims.role == Role::Admin;
            let mut conflicts: Vec<Conflict> = conflicts
                .into_iter()
                .map(|c| c.seen_by(claims.org, admin))
                .collect();
            conflicts.extend(outside);
            conflicts.sort_by_key(|c| c.starts_at);
            return Err(ApiError::conflict(
                format!(
                    "{} occurrence(s) conflict with what is already held",
                    conflicts.len()
                ),
                conflict_values(&conflicts),
            ));
        }
        Err(PlaceError::Db(e)) => return Err(e.into()),
    };
    if let Some((org, limits)) = quota {
        let placed_slots: Vec<_> = placed
            .bookings
            .iter()
            .map(|b| (b.starts_at, b.ends_at))
            .collect();
        let zone = state.settings.time_zone;
        let excesses = quota::excesses(&*txn, &limits, zone, org, &kind, &placed_slots).await?;
        if !excesses.is_empty() {
            // Dropping the transaction rolls back the rows just written.
            let worst = excesses
                .iter()
                .map(|e| e.over_by_hours)
                .fold(0.0_f64, f64::max);
            return Err(ApiError::conflict(
                format!(
                    "the organisation's quota for spaces of kind {kind} would be passed by up to {worst:.2} hour(s)"
                ),
                excesses
                    .iter()
                    .map(|e| serde_json::to_value(e).unwrap_or_default())
                    .collect(),
            ));
        }
    }
    if let Some(summary) = summary(&placed.bookings) {
        state
            .outbox
            .add(
                &*txn,
                &BookingRequested {
                    version: 1,
                    booking: summary,
                },
                None,
            )
            .await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    let mut skipped = placed.skipped;
    skipped.extend(outside);
    Ok(created(&claims, placed.bookings, skipped))
}

/// The 201 answer for bookings just written (never empty) and the occurrences skipped.
fn created(
    claims: &Claims,
    bookings: Vec<bookings::Model>,
    skipped: Vec<Conflict>,
) -> (StatusCode, axum::Json<CreatedBooking>) {
    let admin = claims.role == Role::Admin;
    let mut skipped: Vec<Conflict> = skipped
        .into_iter()
        .map(|c| c.seen_by(claims.org, admin))
        .collect();
    skipped.sort_by_key(|c| c.starts_at);
    let occurrences: Vec<BookingView> = bookings.into_iter().map(BookingView::from).collect();
    let first = occurrences[0].clone();
    tracing::info!(booking_id = %first.id, occurrences = occurrences.len(), actor = %claims.sub, "booking requested");
    (
        StatusCode::CREATED,
        axum::Json(CreatedBooking {
            booking: first,
            occurrences,
            skipped: conflict_values(&skipped),
        }),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
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

/// Lists bookings by start time; operators see their organisation's only.
#[utoipa::path(
    get,
    path = "/api/v1/bookings",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    params(BookingFilter),
    responses(
        (status = 200, body = piazza_shared::http::Page<BookingView>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<BookingFilter>,
) -> Result<axum::Json<page::Page<BookingView>>, ApiError> {
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
    let mut query = bookings::Entity::find();
    if claims.role == Role::Operator {
        // An operator without an organisation sees nothing rather than everything.
        query = match claims.org {
            Some(org) => query.filter(bookings::Column::OrganisationId.eq(org)),
            None => query.filter(Expr::val(1).eq(0)),
        };
    }
    if let Some(space) = filter.space_id {
        query = query.filter(bookings::Column::SpaceId.eq(space));
    }
    if let Some(status) = filter.status {
        query = query.filter(bookings::Column::Status.eq(status.as_str()));
    }
    if let Some(event) = filter.event_id {
        query = query.filter(bookings::Column::EventId.eq(event));
    }
    if let Some(from) = from {
        query = query.filter(bookings::Column::EndsAt.gt(from));
    }
    if let Some(to) = to {
        query = query.filter(bookings::Column::StartsAt.lt(to));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any().add(bookings::Column::StartsAt.gt(at)).add(
                bookings::Column::StartsAt
                    .eq(at)
                    .and(bookings::Column::Id.gt(id)),
            ),
        );
    }
    let rows = query
        .order_by_asc(bookings::Column::StartsAt)
        .order_by_asc(bookings::Column::Id)
        .limit(limit + 1)
        .all(state.db.conn())
        .await?;
    Ok(axum::Json(page::page(
        rows,
        limit,
        |b| (b.starts_at, b.id),
        BookingView::from,
    )))
}

async fn find_booking(conn: &impl ConnectionTrait, id: Uuid) -> Result<bookings::Model, ApiError> {
    bookings::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("booking"))
}

/// One booking.
#[utoipa::path(
    get,
    path = "/api/v1/bookings/{id}",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BookingView>, ApiError> {
    caller.require(&[Role::Operator, Role::Admin])?;
    let booking = find_booking(state.db.conn(), id).await?;
    caller.require_owner(booking.organisation_id)?;
    Ok(axum::Json(booking.into()))
}

/// The booking `id` and, when it belongs to a series, every other occurrence, locked for the
/// rest of the transaction (PostgreSQL: `FOR UPDATE`, ids ascending, so two transitions of one
/// series take their locks in the same order; SQLite: the write transaction is serialised).
/// Read after the lock, the statuses are the ones the transition will change.
async fn lock_rows(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<(bookings::Model, Vec<bookings::Model>), ApiError> {
    let found = find_booking(conn, id).await?;
    let mut query = bookings::Entity::find();
    query = match found.series_id {
        Some(series) => query.filter(
            Condition::any()
                .add(bookings::Column::Id.eq(id))
                .add(bookings::Column::SeriesId.eq(series)),
        ),
        None => query.filter(bookings::Column::Id.eq(id)),
    };
    let mut rows = query
        .order_by_asc(bookings::Column::Id)
        .lock_exclusive()
        .all(conn)
        .await?;
    rows.sort_by_key(|b| b.starts_at);
    let booking = rows
        .iter()
        .find(|b| b.id == id)
        .cloned()
        .ok_or(ApiError::NotFound("booking"))?;
    Ok((booking, rows))
}

/// Moves `rows` from one of the `from` statuses to `status` (and `reason`), as one conditional
/// update: a row that is no longer in a `from` status is not touched, and if any is not, the
/// transition is refused (409) and the caller's transaction rolls back, so each transition
/// happens, and is announced, once.
async fn set_status(
    conn: &impl ConnectionTrait,
    rows: &mut [bookings::Model],
    from: &[BookingStatus],
    status: BookingStatus,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    let now = piazza_shared::clock::now();
    let ids: Vec<Uuid> = rows.iter().map(|b| b.id).collect();
    let changed = bookings::Entity::update_many()
        .col_expr(bookings::Column::Status, Expr::value(status.as_str()))
        .col_expr(
            bookings::Column::Reason,
            Expr::value(reason.map(str::to_string)),
        )
        .col_expr(bookings::Column::UpdatedAt, Expr::value(now))
        .filter(bookings::Column::Id.is_in(ids.clone()))
        .filter(bookings::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(conn)
        .await?
        .rows_affected;
    if changed != rows.len() as u64 {
        return Err(ApiError::conflict(
            "the booking changed at the same moment; read it again",
            vec![],
        ));
    }
    for row in rows.iter_mut() {
        row.status = status.as_str().to_string();
        row.reason = reason.map(str::to_string);
        row.updated_at = now;
    }
    if !status.holds_slot() {
        placement::release(conn, ids).await?;
    }
    Ok(())
}

/// The rows of `rows` in `status`.
fn in_status(rows: &[bookings::Model], status: BookingStatus) -> Vec<bookings::Model> {
    rows.iter()
        .filter(|b| b.status == status.as_str())
        .cloned()
        .collect()
}

/// Approves a requested booking (every requested occurrence of its series).
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/approve",
    tag = "bookings",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Booking id")),
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Not requested any more", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BookingView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let (booking, series) = lock_rows(&*txn, id).await?;
    if booking.status != BookingStatus::Requested.as_str() {
        return Err(ApiError::conflict(
            format!("the booking is {}, not requested", booking.status),
            vec![],
        ));
    }
    let mut rows = in_status(&series, BookingStatus::Requested);
    let from = [BookingStatus::Requested];
    set_status(&*txn, &mut rows, &from, BookingStatus::Approved, None).await?;
    if let Some(summary) = summary(&rows) {
        let correlation = booking.event_id.map(|e| e.to_string());
        state
            .outbox
            .add(
                &*txn,
                &BookingApproved {
                    version: 1,
                    booking: summary,
                },
                correlation,
            )
            .await?;
    }
    let updated = rows
        .iter()
        .find(|b| b.id == id)
        .cloned()
        .unwrap_or_else(|| booking.clone());
    let (before, after) = (BookingView::from(booking), BookingView::from(updated));
    audit::record(
        &*txn,
        &caller.0,
        "booking.approve",
        id,
        audit::json(&before),
        audit::json(&after),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(booking_id = %id, occurrences = rows.len(), actor = %caller.0.sub, "booking approved");
    Ok(axum::Json(after))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

/// Rejects a requested booking (every requested occurrence of its series), freeing its slots.
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/reject",
    tag = "bookings",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Booking id")),
    request_body = RejectBody,
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<RejectBody>,
) -> Result<axum::Json<BookingView>, ApiError> {
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
    let txn = state.db.begin().await?;
    // Holds are released: a tree change must not be rewriting them meanwhile.
    tree_lock::share(&*txn).await?;
    let (booking, series) = lock_rows(&*txn, id).await?;
    if booking.status != BookingStatus::Requested.as_str() {
        return Err(ApiError::conflict(
            format!("the booking is {}, not requested", booking.status),
            vec![],
        ));
    }
    let mut rows = in_status(&series, BookingStatus::Requested);
    let from = [BookingStatus::Requested];
    set_status(
        &*txn,
        &mut rows,
        &from,
        BookingStatus::Rejected,
        Some(reason),
    )
    .await?;
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
        };
        let correlation = first.event_id.map(|e| e.to_string());
        state.outbox.add(&*txn, &message, correlation).await?;
    }
    let updated = rows
        .iter()
        .find(|b| b.id == id)
        .cloned()
        .unwrap_or_else(|| booking.clone());
    let (before, after) = (BookingView::from(booking), BookingView::from(updated));
    audit::record(
        &*txn,
        &caller.0,
        "booking.reject",
        id,
        audit::json(&before),
        audit::json(&after),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(booking_id = %id, actor = %caller.0.sub, "booking rejected");
    Ok(axum::Json(after))
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
#[utoipa::path(
    post,
    path = "/api/v1/bookings/{id}/cancel",
    tag = "bookings",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Booking id")),
    request_body(content = CancelBody, description = "Optional: a reason and the scope"),
    responses(
        (status = 200, body = BookingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    body: Option<Json<CancelBody>>,
) -> Result<axum::Json<BookingView>, ApiError> {
    caller.require(&[Role::Operator, Role::Admin])?;
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        return Err(ApiError::field("reason", "must be at most 1000 characters"));
    }
    let txn = state.db.begin().await?;
    // Holds are released: a tree change must not be rewriting them meanwhile.
    tree_lock::share(&*txn).await?;
    let (booking, series) = lock_rows(&*txn, id).await?;
    caller.require_owner(booking.organisation_id)?;
    let live = |b: &bookings::Model| {
        BookingStatus::parse(&b.status).is_some_and(BookingStatus::holds_slot)
    };
    if !live(&booking) {
        return Err(ApiError::conflict(
            format!("the booking is already {}", booking.status),
            vec![],
        ));
    }
    let mut rows: Vec<bookings::Model> = match body.scope {
        CancelScope::Occurrence => vec![booking.clone()],
        scope => series
            .into_iter()
            .filter(|b| {
                live(b) && (scope == CancelScope::Series || b.starts_at >= booking.starts_at)
            })
            .collect(),
    };
    let from = [BookingStatus::Requested, BookingStatus::Approved];
    set_status(&*txn, &mut rows, &from, BookingStatus::Cancelled, reason).await?;
    if let Some(summary) = summary(&rows) {
        let correlation = booking.event_id.map(|e| e.to_string());
        let message = BookingCancelled {
            version: 1,
            booking: summary,
            reason: reason.map(str::to_string),
        };
        state.outbox.add(&*txn, &message, correlation).await?;
    }
    let updated = rows
        .iter()
        .find(|b| b.id == id)
        .cloned()
        .unwrap_or_else(|| booking.clone());
    // An operator cancelling its own booking is its business; an administrator cancelling
    // someone's is an administrative action and goes in the audit log.
    if caller.is_admin() {
        audit::record(
            &*txn,
            &caller.0,
            "booking.cancel",
            id,
            audit::json(&BookingView::from(booking)),
            audit::json(&BookingView::from(updated.clone())),
        )
        .await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(booking_id = %id, occurrences = rows.len(), actor = %caller.0.sub, "booking cancelled");
    Ok(axum::Json(updated.into()))
}
