//! Opening exceptions: dates with their own opening hours (closed all day with none), replacing
//! what the date had; bookings already made are not moved. Each is a `space.hours_changed`
//! message.

use super::spaces::{check_text, find};
use crate::{
    db::exceptions,
    domain::{DayWindow, opening::parse_day},
    error::BookingError,
    state::AppState,
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::space::SpaceHoursChanged,
    http::{ApiError, Violations},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::OnConflict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A date with its own opening hours.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewException {
    /// Local date in the space's zone, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date: String,
    /// That day's windows; empty (the default) closes the space all day.
    #[serde(default)]
    pub opening_hours: Vec<DayWindow>,
    /// Why (a holiday, a festival evening).
    #[schema(max_length = 500, pattern = "\\S")]
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExceptionList {
    pub items: Vec<ExceptionView>,
}

/// Gives a date of the space `id` its own opening hours (administrators).
pub async fn set_exception(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: NewException,
) -> Result<ExceptionView, BookingError> {
    caller.require(&[Role::Admin])?;
    find(state.db.conn(), id).await?;
    let mut v = Violations::new();
    let date = v.take(
        "date",
        piazza_shared::time::parse_date(&body.date)
            .ok_or_else(|| format!("`{}` is not a date (YYYY-MM-DD)", body.date)),
    );
    let windows = parse_day(&body.opening_hours, "opening_hours", &mut v);
    check_text(&mut v, "reason", &body.reason, 500);
    v.finish()?;
    let Some(date) = date else {
        return Err(ApiError::field("date", "is required").into());
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
    let unit = state.begin().await?;
    exceptions::Entity::insert(exceptions::ActiveModel::from(model.clone()))
        .on_conflict(
            OnConflict::columns([exceptions::Column::SpaceId, exceptions::Column::OnDate])
                .update_columns([exceptions::Column::Hours, exceptions::Column::Reason])
                .to_owned(),
        )
        .exec_without_returning(&*unit)
        .await?;
    let stored = exceptions::Entity::find()
        .filter(exceptions::Column::SpaceId.eq(id))
        .filter(exceptions::Column::OnDate.eq(date.clone()))
        .one(&*unit)
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
    unit.publish(&message, None).await?;
    unit.audit(
        &caller.0,
        "exception.set",
        stored.id,
        None,
        audit::json(&message),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(space_id = %id, date = %stored.on_date, actor = %caller.0.sub, "opening exception set");
    Ok(stored.into())
}

/// The dates of the space `id` with their own opening hours, by date (anyone may read them).
pub async fn list_exceptions(state: &AppState, id: Uuid) -> Result<ExceptionList, BookingError> {
    find(state.db.conn(), id).await?;
    let rows = exceptions::Entity::find()
        .filter(exceptions::Column::SpaceId.eq(id))
        .order_by_asc(exceptions::Column::OnDate)
        .all(state.db.conn())
        .await?;
    Ok(ExceptionList {
        items: rows.into_iter().map(Into::into).collect(),
    })
}

/// Gives the date of the exception `exception_id` its weekly hours back (administrators).
pub async fn remove_exception(
    state: &AppState,
    caller: &Caller,
    space_id: Uuid,
    exception_id: Uuid,
) -> Result<(), BookingError> {
    caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let Some(row) = exceptions::Entity::find_by_id(exception_id)
        .one(&*unit)
        .await?
        .filter(|r| r.space_id == space_id)
    else {
        return Err(ApiError::NotFound("exception").into());
    };
    exceptions::Entity::delete_by_id(exception_id)
        .exec(&*unit)
        .await?;
    let before = audit::json(&ExceptionView::from(row));
    unit.audit(&caller.0, "exception.remove", exception_id, before, None)
        .await?;
    unit.commit().await?;
    tracing::info!(space_id = %space_id, exception_id = %exception_id, actor = %caller.0.sub, "opening exception removed");
    Ok(())
}
