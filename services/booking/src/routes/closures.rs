//! `/api/v1/spaces/{id}/closures` and `/exceptions`: when a space is shut (once or on a recurring
//! rule, with a reason) and dates with their own opening hours. Each change is announced as a
//! `space.*` message.

use super::spaces::{check_text, find_space};
use crate::{
    db::{closures, exceptions, holds},
    domain::{DayWindow, opening::parse_day},
    state::AppState,
    tree::SpaceTree,
    tree_lock,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::space::{ClosedPeriod, SpaceClosed, SpaceHoursChanged},
    http::{ApiError, Json, Path, Problem, Violations},
    recurrence,
    time::{Span, parse_instant, parse_zone},
};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClosure {
    pub starts_at: String,
    pub ends_at: String,
    pub reason: String,
    /// RFC 5545 RRULE (with COUNT or UNTIL), expanded in the space's zone: the space closes at
    /// each occurrence for as long as the first.
    #[serde(default)]
    pub recurrence: Option<String>,
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
    /// Every closed stretch (one for a one-off closure).
    pub occurrences: Vec<ClosedPeriodView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClosedPeriodView {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Closes a space for a while (works, a holiday), once or on a recurring rule. Refused while live
/// bookings hold any of that time.
#[utoipa::path(
    post,
    path = "/api/v1/spaces/{id}/closures",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    request_body = NewClosure,
    responses(
        (status = 201, body = ClosureView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Bookings in the way", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn add_closure(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewClosure>,
) -> Result<(StatusCode, axum::Json<ClosureView>), ApiError> {
    caller.require(&[Role::Admin])?;
    let space = find_space(&state, id).await?;
    let zone = parse_zone(&space.time_zone).unwrap_or(state.settings.time_zone);
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
    let txn = state.db.begin().await?;
    // No booking is being placed while the closure is checked and written, and none placed
    // after it misses it (bookings take this lock shared).
    tree_lock::exclusive(&*txn).await?;
    let tree = SpaceTree::load(&*txn).await?;
    let mut overlapping = Condition::any();
    for &(s, e) in &periods {
        overlapping = overlapping.add(
            Condition::all()
                .add(holds::Column::StartsAt.lt(e))
                .add(holds::Column::EndsAt.gt(s)),
        );
    }
    let in_the_way = holds::Entity::find()
        .filter(holds::Column::SpaceId.is_in(tree.related(id)))
        .filter(overlapping)
        .all(&*txn)
        .await?;
    if !in_the_way.is_empty() {
        let mut ids: Vec<Uuid> = in_the_way.iter().map(|h| h.booking_id).collect();
        ids.sort();
        ids.dedup();
        let conflicts = ids
            .into_iter()
            .map(|b| serde_json::json!({ "booking_id": b, "reason": "a live booking holds this time" }))
            .collect();
        return Err(ApiError::conflict(
            "cancel or move the bookings in the way before closing the space",
            conflicts,
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
        })
        .collect();
    closures::Entity::insert_many(rows.iter().cloned().map(closures::ActiveModel::from))
        .exec_without_returning(&*txn)
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
    state.outbox.add(&*txn, &message, None).await?;
    audit::record(
        &*txn,
        &caller.0,
        "closure.create",
        rows[0].id,
        None,
        audit::json(&message),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(space_id = %id, occurrences = rows.len(), actor = %caller.0.sub, "closure added");
    let first = &rows[0];
    Ok((
        StatusCode::CREATED,
        axum::Json(ClosureView {
            id: first.id,
            space_id: id,
            starts_at: first.starts_at,
            ends_at: first.ends_at,
            reason,
            series_id,
            recurrence,
            occurrences: rows
                .iter()
                .map(|r| ClosedPeriodView {
                    id: r.id,
                    starts_at: r.starts_at,
                    ends_at: r.ends_at,
                })
                .collect(),
        }),
    ))
}

/// A date with its own opening hours.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewException {
    /// Local date in the space's zone, `YYYY-MM-DD`.
    pub date: String,
    /// That day's windows; empty (the default) closes the space all day.
    #[serde(default)]
    pub opening_hours: Vec<DayWindow>,
    /// Why (a holiday, a festival evening).
    pub reason: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExceptionView {
    pub id: Uuid,
    pub space_id: Uuid,
    pub date: String,
    pub opening_hours: Vec<DayWindow>,
    pub reason: String,
}

impl From<exceptions::Model> for ExceptionView {
    fn from(m: exceptions::Model) -> Self {
        Self {
            id: m.id,
            space_id: m.space_id,
            date: m.on_date,
            opening_hours: serde_json::from_value(m.hours).unwrap_or_default(),
            reason: m.reason,
        }
    }
}

/// Gives a date its own opening hours (replacing any it had): closed all day with none, or
/// other windows than the weekly ones. Bookings already made are not moved.
#[utoipa::path(
    post,
    path = "/api/v1/spaces/{id}/exceptions",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    request_body = NewException,
    responses(
        (status = 201, body = ExceptionView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn add_exception(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewException>,
) -> Result<(StatusCode, axum::Json<ExceptionView>), ApiError> {
    caller.require(&[Role::Admin])?;
    find_space(&state, id).await?;
    let mut v = Violations::new();
    let date = v.take(
        "date",
        NaiveDate::parse_from_str(&body.date, "%Y-%m-%d")
            .map_err(|_| format!("`{}` is not a date (YYYY-MM-DD)", body.date)),
    );
    let windows = parse_day(&body.opening_hours, "opening_hours", &mut v);
    check_text(&mut v, "reason", &body.reason, 500);
    v.finish()?;
    let Some(date) = date else {
        return Err(ApiError::field("date", "is required"));
    };
    let date = date.format("%Y-%m-%d").to_string();
    let model = exceptions::Model {
        id: Uuid::now_v7(),
        space_id: id,
        on_date: date.clone(),
        hours: serde_json::to_value(&body.opening_hours).unwrap_or_default(),
        reason: body.reason.trim().to_string(),
        created_at: piazza_shared::clock::now(),
    };
    let txn = state.db.begin().await?;
    exceptions::Entity::insert(exceptions::ActiveModel::from(model.clone()))
        .on_conflict(
            OnConflict::columns([exceptions::Column::SpaceId, exceptions::Column::OnDate])
                .update_columns([exceptions::Column::Hours, exceptions::Column::Reason])
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;
    let stored = exceptions::Entity::find()
        .filter(exceptions::Column::SpaceId.eq(id))
        .filter(exceptions::Column::OnDate.eq(date.clone()))
        .one(&*txn)
        .await?
        .unwrap_or(model);
    let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    let message = SpaceHoursChanged {
        version: 1,
        space_id: id,
        date,
        hours: windows.iter().map(|&(o, c)| (hhmm(o), hhmm(c))).collect(),
        reason: stored.reason.clone(),
    };
    state.outbox.add(&*txn, &message, None).await?;
    audit::record(
        &*txn,
        &caller.0,
        "exception.set",
        stored.id,
        None,
        audit::json(&message),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(space_id = %id, date = %stored.on_date, actor = %caller.0.sub, "opening exception set");
    Ok((StatusCode::CREATED, axum::Json(stored.into())))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExceptionList {
    pub items: Vec<ExceptionView>,
}

/// The dates of a space with their own opening hours, by date.
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}/exceptions",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id")),
    responses((status = 200, body = ExceptionList), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn list_exceptions(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ExceptionList>, ApiError> {
    find_space(&state, id).await?;
    let rows = exceptions::Entity::find()
        .filter(exceptions::Column::SpaceId.eq(id))
        .order_by_asc(exceptions::Column::OnDate)
        .all(state.db.conn())
        .await?;
    Ok(axum::Json(ExceptionList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}
