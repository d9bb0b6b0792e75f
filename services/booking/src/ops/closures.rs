//! Closures: times a space cannot be booked (works, a holiday), once or on a recurring rule,
//! with a reason. Under the exclusive tree lock no booking is being placed meanwhile, and a
//! closure over time live bookings hold is refused. Each is a `space.closed` message. A closure
//! for works comes from Maintenance: only its members make one.

use super::{
    sectors::known,
    spaces::{check_text, find},
};
use crate::{
    db::{closures, holds, tree::SpaceTree, tree_lock},
    error::BookingError,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::sector::MAINTENANCE,
    contracts::space::{ClosedPeriod, SpaceClosed},
    http::{ApiError, Violations},
    recurrence,
    time::{Span, parse_instant},
};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClosure {
    #[schema(format = DateTime)]
    pub starts_at: String,
    #[schema(format = DateTime)]
    pub ends_at: String,
    #[schema(max_length = 500, pattern = "\\S")]
    pub reason: String,
    /// RFC 5545 RRULE (with COUNT or UNTIL), expanded in the space's zone: the space closes at
    /// each occurrence for as long as the first.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// A closure for works: it comes from Maintenance, and only its members make one.
    #[serde(default)]
    pub works: bool,
    /// The sector the closure comes from (its code; the caller must belong to it). A closure
    /// for works is Maintenance's whatever this says; another may name none.
    #[serde(default)]
    pub sector: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosureView {
    /// The first occurrence's id.
    pub id: Uuid,
    pub space_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    pub series_id: Option<Uuid>,
    pub recurrence: Option<String>,
    /// The sector it comes from (`maintenance` for works), if any.
    pub sector: Option<String>,
    /// Every closed stretch (one for a one-off closure).
    pub occurrences: Vec<ClosedPeriodView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosedPeriodView {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Closes the space `id` (administrators).
pub async fn add(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: NewClosure,
) -> Result<ClosureView, BookingError> {
    caller.require(&[Role::Admin])?;
    let space = find(state.db.conn(), id).await?;
    let zone = space.zone(state.settings.time_zone);
    let mut v = Violations::new();
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    check_text(&mut v, "reason", &body.reason, 500);
    let mut periods: Vec<Span> = Vec::new();
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        v.check(e > s, "ends_at", "must be after starts_at");
        match (&body.recurrence, e > s) {
            (_, false) => {}
            (None, true) => periods.push((s, e)),
            (Some(rule), true) => {
                let max = state.settings.booking.max_occurrences;
                match recurrence::expand(rule, s, e, zone, max) {
                    Ok(list) => periods = list,
                    Err(error) => v.add("recurrence", error.to_string()),
                }
            }
        }
    }
    v.finish()?;
    let sector = closing_sector(state, caller, &body).await?;
    let unit = state.begin().await?;
    // No booking is being placed while the closure is checked and written, and none placed
    // after it misses it (bookings take this lock shared).
    tree_lock::exclusive(&*unit).await?;
    let tree = SpaceTree::load(&*unit).await?;
    let in_the_way = holds::meeting(&*unit, tree.related(id), &periods).await?;
    if !in_the_way.is_empty() {
        let mut ids: Vec<Uuid> = in_the_way.iter().map(|h| h.booking_id).collect();
        ids.sort();
        ids.dedup();
        return Err(BookingError::BookingsInTheWay(
            ids.into_iter()
                .map(|b| serde_json::json!({ "booking_id": b, "reason": "a live booking holds this time" }))
                .collect(),
        ));
    }
    let reason = body.reason.trim().to_string();
    let recurrence = body
        .recurrence
        .as_deref()
        .map(str::trim)
        .map(str::to_string);
    let series_id = recurrence.as_ref().map(|_| Uuid::now_v7());
    let now = piazza_shared::clock::now();
    let rows: Vec<closures::Model> = periods
        .iter()
        .map(|&(s, e)| closures::Model {
            id: Uuid::now_v7(),
            space_id: id,
            starts_at: s,
            ends_at: e,
            reason: reason.clone(),
            created_at: now,
            series_id,
            recurrence: recurrence.clone(),
            sector: sector.clone(),
        })
        .collect();
    closures::Entity::insert_many(rows.iter().cloned().map(closures::ActiveModel::from))
        .exec_without_returning(&*unit)
        .await?;
    let message = SpaceClosed {
        version: 1,
        space_id: id,
        series_id,
        reason: reason.clone(),
        periods: periods
            .iter()
            .map(|&(starts_at, ends_at)| ClosedPeriod { starts_at, ends_at })
            .collect(),
    };
    unit.publish(&message, None).await?;
    let first = &rows[0];
    unit.audit(
        &caller.0,
        "closure.create",
        first.id,
        None,
        audit::json(&message),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(space_id = %id, occurrences = rows.len(), actor = %caller.0.sub, "closure added");
    Ok(ClosureView {
        id: first.id,
        space_id: id,
        starts_at: first.starts_at,
        ends_at: first.ends_at,
        reason,
        series_id,
        recurrence,
        sector,
        occurrences: rows
            .iter()
            .map(|r| ClosedPeriodView {
                id: r.id,
                starts_at: r.starts_at,
                ends_at: r.ends_at,
            })
            .collect(),
    })
}

/// The sector a closure comes from: Maintenance for works (only its members close a space for
/// works), else the sector named, which the caller must belong to, or none.
async fn closing_sector(
    state: &AppState,
    caller: &Caller,
    body: &NewClosure,
) -> Result<Option<String>, BookingError> {
    let named = body
        .sector
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let sector = match (body.works, named) {
        (true, Some(other)) if other != MAINTENANCE => {
            return Err(
                ApiError::field("sector", "closures for works come from maintenance").into(),
            );
        }
        (true, _) => MAINTENANCE.to_string(),
        (false, None) => return Ok(None),
        (false, Some(code)) => {
            known(state.db.conn(), "sector", &[code.to_string()]).await?;
            code.to_string()
        }
    };
    if !caller.0.in_sector(&sector) {
        return Err(ApiError::Forbidden(format!(
            "only members of the sector {sector} make its closures"
        ))
        .into());
    }
    Ok(Some(sector))
}

/// One closed stretch of a space as the list shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosedView {
    pub id: Uuid,
    pub space_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: String,
    /// Set when the stretch is one occurrence of a recurring closure.
    pub series_id: Option<Uuid>,
}

/// The closures of the space `id` that are not over at `now`, by start (anyone may read them).
pub async fn list(state: &AppState, id: Uuid) -> Result<Vec<ClosedView>, BookingError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    find(state.db.conn(), id).await?;
    let rows = closures::Entity::find()
        .filter(closures::Column::SpaceId.eq(id))
        .filter(closures::Column::EndsAt.gt(piazza_shared::clock::now()))
        .order_by_asc(closures::Column::StartsAt)
        .all(state.db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| ClosedView {
            id: r.id,
            space_id: r.space_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            reason: r.reason,
            series_id: r.series_id,
        })
        .collect())
}

/// Reopens the space `space_id` for the one closed stretch `closure_id` (administrators): its
/// time may be booked again. No other service keeps closures, so there is no message to send.
pub async fn remove(
    state: &AppState,
    caller: &Caller,
    space_id: Uuid,
    closure_id: Uuid,
) -> Result<(), BookingError> {
    caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    // Bookings being placed read the closures under the shared lock.
    tree_lock::exclusive(&*unit).await?;
    let Some(row) = closures::Entity::find_by_id(closure_id)
        .one(&*unit)
        .await?
        .filter(|r| r.space_id == space_id)
    else {
        return Err(piazza_shared::http::ApiError::NotFound("closure").into());
    };
    closures::Entity::delete_by_id(closure_id)
        .exec(&*unit)
        .await?;
    let before = serde_json::json!({
        "space_id": space_id, "starts_at": row.starts_at, "ends_at": row.ends_at, "reason": row.reason,
    });
    unit.audit(&caller.0, "closure.remove", closure_id, Some(before), None)
        .await?;
    unit.commit().await?;
    tracing::info!(space_id = %space_id, closure_id = %closure_id, actor = %caller.0.sub, "closure removed");
    Ok(())
}
