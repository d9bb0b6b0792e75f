//! Reading a space's opening plan (weekly hours and the date exceptions that meet a range) for
//! availability, placement and reports.

use super::{exceptions, spaces};
use crate::domain::{DayWindow, OpeningHours, OpeningPlan, WeeklyHours, opening::parse_day};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use piazza_shared::http::Violations;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

/// The space's stored weekly hours.
pub fn weekly(space: &spaces::Model) -> WeeklyHours {
    let hours: Vec<OpeningHours> =
        serde_json::from_value(space.opening_hours.clone()).unwrap_or_default();
    WeeklyHours::from_stored(&hours)
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The opening plan of `space` for instants in `[from, to)`, read in `zone`.
pub async fn plan(
    conn: &impl ConnectionTrait,
    space: &spaces::Model,
    zone: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<OpeningPlan, DbErr> {
    let first = from.with_timezone(&zone).date_naive() - Duration::days(1);
    let last = to.with_timezone(&zone).date_naive() + Duration::days(1);
    let rows = exceptions::Entity::find()
        .filter(exceptions::Column::SpaceId.eq(space.id))
        .filter(exceptions::Column::OnDate.gte(date_text(first)))
        .filter(exceptions::Column::OnDate.lte(date_text(last)))
        .all(conn)
        .await?;
    let mut days = BTreeMap::new();
    for row in rows {
        let Ok(date) = NaiveDate::parse_from_str(&row.on_date, "%Y-%m-%d") else {
            continue;
        };
        let windows: Vec<DayWindow> = serde_json::from_value(row.hours).unwrap_or_default();
        days.insert(date, parse_day(&windows, "hours", &mut Violations::new()));
    }
    Ok(OpeningPlan::new(weekly(space), days))
}
