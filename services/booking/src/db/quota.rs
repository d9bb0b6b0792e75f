//! Quotas: how many hours one organisation's live (requested and approved) bookings may hold per
//! week and per month in spaces of one kind (settings `booking.quotas.<kind>`).
//!
//! The check runs in the booking's own write transaction, after its rows are written, so it
//! counts them with everything already held. On PostgreSQL the organisation's row is locked
//! first (`SELECT … FOR UPDATE`), so two concurrent requests of one organisation take turns and
//! cannot both squeeze under the limit; on SQLite the write transaction is already serialised.

use super::{bookings, spaces};
use crate::config::Quota;
use crate::domain::BookingStatus;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use piazza_shared::time::{Span, start_of_day};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Statement,
};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One limit passed, and by how much.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excess {
    /// `hours_per_week` or `hours_per_month`.
    pub quota: &'static str,
    /// The space kind the quota is for.
    pub kind: String,
    /// The week (`2027-W10`) or month (`2027-03`).
    pub period: String,
    pub limit_hours: f64,
    /// Hours held in the period with this request counted.
    pub held_hours: f64,
    pub over_by_hours: f64,
}

/// Takes the organisation's row lock for the rest of the transaction (PostgreSQL only).
pub async fn lock_organisation(conn: &impl ConnectionTrait, org: Uuid) -> Result<(), DbErr> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        conn.query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT id FROM organisations WHERE id = $1 FOR UPDATE",
            [org.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A period a quota counts over: its label and its bounds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Period {
    label: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

fn week_of(t: DateTime<Utc>, zone: Tz) -> Period {
    let day = t.with_timezone(&zone).date_naive();
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let week = monday.iso_week();
    Period {
        label: format!("{}-W{:02}", week.year(), week.week()),
        start: start_of_day(monday, zone),
        end: start_of_day(monday + Duration::days(7), zone),
    }
}

fn month_of(t: DateTime<Utc>, zone: Tz) -> Period {
    let day = t.with_timezone(&zone).date_naive();
    let first = day.with_day(1).unwrap_or(day);
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .unwrap_or(first);
    Period {
        label: format!("{}-{:02}", first.year(), first.month()),
        start: start_of_day(first, zone),
        end: start_of_day(next, zone),
    }
}

fn hours(span: Span) -> f64 {
    (span.1 - span.0).num_seconds() as f64 / 3600.0
}

/// Quotas of `org` in spaces of `kind` that the periods of `slots` now pass. Bookings count in
/// the period where they start.
pub async fn excesses(
    conn: &impl ConnectionTrait,
    quota: &Quota,
    zone: Tz,
    org: Uuid,
    kind: &str,
    slots: &[Span],
) -> Result<Vec<Excess>, DbErr> {
    let mut periods: BTreeMap<Period, (&'static str, f64)> = BTreeMap::new();
    for &(start, _) in slots {
        if let Some(limit) = quota.hours_per_week {
            periods.insert(week_of(start, zone), ("hours_per_week", limit));
        }
        if let Some(limit) = quota.hours_per_month {
            periods.insert(month_of(start, zone), ("hours_per_month", limit));
        }
    }
    let (Some(from), Some(to)) = (
        periods.keys().map(|p| p.start).min(),
        periods.keys().map(|p| p.end).max(),
    ) else {
        return Ok(Vec::new());
    };
    let of_kind: Vec<Uuid> = spaces::Entity::find()
        .select_only()
        .column(spaces::Column::Id)
        .filter(spaces::Column::Kind.eq(kind))
        .into_tuple()
        .all(conn)
        .await?;
    let held: Vec<Span> = bookings::Entity::find()
        .select_only()
        .column(bookings::Column::StartsAt)
        .column(bookings::Column::EndsAt)
        .filter(bookings::Column::OrganisationId.eq(org))
        .filter(bookings::Column::SpaceId.is_in(of_kind))
        .filter(bookings::Column::Status.is_in(BookingStatus::live_names()))
        // An event in the organisation's own booking adds no hours to it.
        .filter(bookings::Column::UsesBookingId.is_null())
        .filter(bookings::Column::StartsAt.gte(from))
        .filter(bookings::Column::StartsAt.lt(to))
        .into_tuple()
        .all(conn)
        .await?;
    let mut found = Vec::new();
    for (period, (name, limit)) in periods {
        let total: f64 = held
            .iter()
            .filter(|(s, _)| period.start <= *s && *s < period.end)
            .map(|&span| hours(span))
            .sum();
        if total > limit + 1e-9 {
            found.push(Excess {
                quota: name,
                kind: kind.to_string(),
                period: period.label,
                limit_hours: limit,
                held_hours: total,
                over_by_hours: total - limit,
            });
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Rome;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn weeks_run_from_local_monday_and_months_from_the_first() {
        // Sunday 28 March 2027 23:30 in Rome is still week 12; the week after starts at UTC+2.
        let week = week_of(at("2027-03-28T21:30:00Z"), Rome);
        assert_eq!(week.label, "2027-W12");
        assert_eq!(week.start, at("2027-03-21T23:00:00Z"));
        assert_eq!(week.end, at("2027-03-28T22:00:00Z"));
        let month = month_of(at("2027-12-31T23:30:00Z"), Rome);
        assert_eq!(month.label, "2028-01");
        assert_eq!(month.end, at("2028-01-31T23:00:00Z"));
    }
}
