//! The outreach report: what the notifier can tell evaluators about reaching young
//! people in a period — events that took place by category, registrations, how many distinct
//! people got event emails, emails sent by kind. Aggregates only: no address, name or id leaves.

use crate::{
    db::{deliveries, events, registrations},
    domain::{DeliveryState, EventStatus, Kind, RegistrationStatus, takes_place_in},
    error::NotifierError,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::event::EventSummary,
    http::Violations,
    persisted::Persisted,
    time::{Bound, parse_bound},
};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Select,
    sea_query::{Expr, SimpleExpr},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The period asked for, as the query string gives it.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// Start (RFC 3339 instant, or a local date); default: from the beginning.
    pub from: Option<String>,
    /// End, exclusive (a date counts whole); default: now.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EventCounts {
    /// Published events with an occurrence in the period (cancelled ones left out).
    pub total: u64,
    /// Per category; an event of two categories counts in both.
    pub by_category: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistrationCounts {
    /// Registrations made in the period, whatever became of them.
    pub total: u64,
    /// Holding a place now (confirmed at once or promoted from the waitlist).
    pub confirmed: u64,
    pub waitlisted: u64,
    pub cancelled: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmailCounts {
    pub total: u64,
    /// Per kind of email (`event_published`, `weekly_digest`, `reminder`, …).
    pub by_kind: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Outreach {
    pub from: Option<DateTime<Utc>>,
    pub to: DateTime<Utc>,
    pub events: EventCounts,
    pub registrations: RegistrationCounts,
    /// Distinct addresses that received at least one email about events (announcements,
    /// digests, registrations, reminders, changes) in the period.
    pub young_people_reached: u64,
    /// Emails sent in the period (operators' booking emails and confirmations included).
    pub emails_sent: EmailCounts,
}

fn sent_between(from: Option<DateTime<Utc>>, to: DateTime<Utc>) -> Select<deliveries::Entity> {
    let mut query = deliveries::Entity::find()
        .filter(deliveries::Column::State.eq(DeliveryState::Sent.as_str()))
        .filter(deliveries::Column::SentAt.lt(to));
    if let Some(from) = from {
        query = query.filter(deliveries::Column::SentAt.gte(from));
    }
    query
}

fn count(expr: &'static str) -> SimpleExpr {
    Expr::cust(expr)
}

/// Outreach in a period, for administrators and evaluators.
pub async fn outreach(
    state: &AppState,
    caller: &Caller,
    period: Period,
) -> Result<Outreach, NotifierError> {
    caller.require(&[Role::Admin, Role::Evaluator])?;
    let zone = state.settings.time_zone;
    let mut v = Violations::new();
    let from = period
        .from
        .as_deref()
        .and_then(|f| v.take("from", parse_bound(f, zone, Bound::Start)));
    let to = period
        .to
        .as_deref()
        .and_then(|t| v.take("to", parse_bound(t, zone, Bound::End)))
        .unwrap_or_else(piazza_shared::clock::now);
    if let Some(from) = from {
        v.check(to > from, "to", "must be after `from`");
    }
    v.finish()?;
    let conn = state.db.conn();

    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut total_events = 0;
    let start = from.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let published = events::Entity::find()
        .filter(events::Column::Status.eq(EventStatus::Published.as_str()))
        .filter(events::Column::FirstStartsAt.lt(to))
        .all(conn)
        .await?;
    for row in published {
        let Ok(event) = serde_json::from_value::<EventSummary>(row.summary) else {
            continue;
        };
        if !takes_place_in(&event, start, to) {
            continue;
        }
        total_events += 1;
        for category in &event.categories {
            *by_category
                .entry(category.as_str().to_string())
                .or_default() += 1;
        }
    }

    let mut made = registrations::Entity::find().filter(registrations::Column::CreatedAt.lt(to));
    if let Some(from) = from {
        made = made.filter(registrations::Column::CreatedAt.gte(from));
    }
    let per_status: Vec<(String, i64)> = made
        .select_only()
        .column(registrations::Column::Status)
        .column_as(count("COUNT(*)"), "n")
        .group_by(registrations::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let status_count = |status: RegistrationStatus| {
        per_status
            .iter()
            .find(|(s, _)| RegistrationStatus::parse(s) == Some(status))
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
    };

    let per_kind: Vec<(String, i64)> = sent_between(from, to)
        .select_only()
        .column(deliveries::Column::Kind)
        .column_as(count("COUNT(*)"), "n")
        .group_by(deliveries::Column::Kind)
        .into_tuple()
        .all(conn)
        .await?;
    let reaching: Vec<&str> = <Kind as Persisted>::ALL
        .iter()
        .filter(|k| k.reaches_young_people())
        .map(|k| k.as_str())
        .collect();
    let reached: Option<i64> = sent_between(from, to)
        .filter(deliveries::Column::Kind.is_in(reaching))
        .select_only()
        .column_as(count("COUNT(DISTINCT recipient)"), "n")
        .into_tuple()
        .one(conn)
        .await?;

    let by_kind: BTreeMap<String, u64> = per_kind
        .into_iter()
        .map(|(k, n)| (k, u64::try_from(n).unwrap_or(0)))
        .collect();
    Ok(Outreach {
        from,
        to,
        events: EventCounts {
            total: total_events,
            by_category,
        },
        registrations: RegistrationCounts {
            total: per_status
                .iter()
                .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
                .sum(),
            confirmed: status_count(RegistrationStatus::Confirmed),
            waitlisted: status_count(RegistrationStatus::Waitlisted),
            cancelled: status_count(RegistrationStatus::Cancelled),
        },
        young_people_reached: reached.map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        emails_sent: EmailCounts {
            total: by_kind.values().sum(),
            by_kind,
        },
    })
}
