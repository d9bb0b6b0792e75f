//! The sender: takes due deliveries, renders and sends them concurrently through the shared
//! transport, and records each outcome. A delivery is claimed (state `sending`, with a lease)
//! before its email goes out, so two senders never send the same row; a crash mid-send leaves
//! the lease to expire and the row is tried again.

use crate::{
    db::{deliveries, events, subscribers, suppressions},
    domain::Kind,
    email::{Rendered, SendError, templates},
    state::AppState,
};
use chrono::{Duration, Utc};
use futures::StreamExt;
use piazza_shared::{
    contracts::{
        Language,
        booking::{BookingRejected, BookingSummary},
        event::EventSummary,
    },
    runtime::backoff,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, LockBehavior, LockType, OnConflict},
};
use std::{collections::HashMap, sync::Arc};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Rows claimed per round.
const BATCH: u64 = 500;
/// How long a claimed row belongs to this sender before another may take it.
const LEASE_MINUTES: i64 = 5;

/// What happened to one delivery.
#[derive(Debug)]
enum Outcome {
    Sent,
    Skipped(String),
    Failed(SendError),
}

/// Sends until `shutdown`; finishes the round in hand first.
pub async fn run(state: AppState, shutdown: CancellationToken) {
    let mut failures = 0;
    loop {
        match deliver_due(&state).await {
            Ok(0) => {
                failures = 0;
                tokio::select! {
                    _ = state.wake_sender.notified() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = shutdown.cancelled() => return,
                }
            }
            Ok(_) => {
                failures = 0;
                if shutdown.is_cancelled() {
                    return;
                }
            }
            Err(error) => {
                failures += 1;
                let delay = backoff(failures);
                tracing::warn!(%error, retry_in_ms = delay.as_millis() as u64, "email sender could not read deliveries");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.cancelled() => return,
                }
            }
        }
    }
}

/// Claims due rows: `pending` ones whose time has come, and `sending` ones whose lease expired.
async fn claim(state: &AppState) -> Result<Vec<deliveries::Model>, DbErr> {
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let mut query = deliveries::Entity::find()
        .filter(deliveries::Column::State.is_in(["pending", "sending"]))
        .filter(deliveries::Column::NextAttemptAt.lte(now))
        .order_by_asc(deliveries::Column::NextAttemptAt)
        .limit(BATCH);
    if state.db.is_postgres() {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&*txn).await?;
    if !rows.is_empty() {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value("sending"))
            .col_expr(
                deliveries::Column::NextAttemptAt,
                Expr::value(now + Duration::minutes(LEASE_MINUTES)),
            )
            .filter(deliveries::Column::Id.is_in(rows.iter().map(|r| r.id)))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows)
}

/// One round: claim, send, record. Returns how many rows were handled.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let rows = claim(state).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let context = Arc::new(RoundContext::load(state, &rows).await?);
    let pacing = pacer(state.settings.email.rate_per_second);
    let concurrency = state.settings.email.concurrency as usize;
    let outcomes: Vec<(deliveries::Model, Outcome)> = futures::stream::iter(rows)
        .map(|row| {
            let context = context.clone();
            let pacing = pacing.clone();
            async move {
                let outcome = match render(state, &context, &row) {
                    Ok(Some(email)) => {
                        if let Some(pacing) = &pacing {
                            pacing.lock().await.tick().await;
                        }
                        match email.into_message(&state.from) {
                            Ok(message) => match state.mailer.send(message).await {
                                Ok(()) => Outcome::Sent,
                                Err(e) => Outcome::Failed(e),
                            },
                            Err(e) => Outcome::Skipped(format!("could not build the email: {e}")),
                        }
                    }
                    Ok(None) => Outcome::Skipped(
                        "no longer wanted (unsubscribed, confirmed or suppressed)".into(),
                    ),
                    Err(e) => Outcome::Skipped(format!("could not render: {e:#}")),
                };
                (row, outcome)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let handled = outcomes.len();
    record(state, outcomes).await?;
    Ok(handled)
}

fn pacer(rate: u32) -> Option<Arc<Mutex<tokio::time::Interval>>> {
    (rate > 0).then(|| {
        let mut interval =
            tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / f64::from(rate)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Arc::new(Mutex::new(interval))
    })
}

/// What rendering a round needs, read once for all its rows.
struct RoundContext {
    subscribers: HashMap<Uuid, subscribers::Model>,
    events: HashMap<Uuid, EventSummary>,
    suppressed: Vec<String>,
}

impl RoundContext {
    async fn load(state: &AppState, rows: &[deliveries::Model]) -> Result<Self, DbErr> {
        let conn = state.db.conn();
        let subscriber_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.subscriber_id).collect();
        let subscribers = if subscriber_ids.is_empty() {
            HashMap::new()
        } else {
            subscribers::Entity::find()
                .filter(subscribers::Column::Id.is_in(subscriber_ids))
                .all(conn)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect()
        };
        let event_ids: Vec<Uuid> = rows
            .iter()
            .filter(|r| {
                matches!(
                    Kind::parse(&r.kind),
                    Some(Kind::EventPublished | Kind::EventCancelled)
                )
            })
            .map(|r| r.subject_id)
            .collect();
        let events = if event_ids.is_empty() {
            HashMap::new()
        } else {
            events::Entity::find()
                .filter(events::Column::Id.is_in(event_ids))
                .all(conn)
                .await?
                .into_iter()
                .filter_map(|e| serde_json::from_value(e.summary).ok().map(|s| (e.id, s)))
                .collect()
        };
        let recipients: Vec<String> = rows.iter().map(|r| r.recipient.clone()).collect();
        let suppressed = suppressions::Entity::find()
            .filter(suppressions::Column::Email.is_in(recipients))
            .all(conn)
            .await?
            .into_iter()
            .map(|s| s.email)
            .collect();
        Ok(Self {
            subscribers,
            events,
            suppressed,
        })
    }
}

/// The email for `row`, or `None` when it should no longer go out.
fn render(
    state: &AppState,
    context: &RoundContext,
    row: &deliveries::Model,
) -> anyhow::Result<Option<Rendered>> {
    if context.suppressed.contains(&row.recipient) {
        return Ok(None);
    }
    let kind =
        Kind::parse(&row.kind).ok_or_else(|| anyhow::anyhow!("unknown kind {}", row.kind))?;
    let language = Language::parse(&row.language).unwrap_or_default();
    let zone = state.settings.time_zone;
    let subscriber = row
        .subscriber_id
        .and_then(|id| context.subscribers.get(&id));
    match kind {
        Kind::ConfirmSubscription => {
            let Some(subscriber) = subscriber.filter(|s| s.status == "pending") else {
                return Ok(None);
            };
            let for_guardian = subscriber.guardian_email.as_deref() == Some(row.recipient.as_str());
            let url = state.links.confirm(subscriber.id, &subscriber.email);
            Ok(Some(templates::confirm_subscription(
                language,
                &row.recipient,
                &subscriber.email,
                &url,
                for_guardian,
            )))
        }
        Kind::EventPublished | Kind::EventCancelled => {
            // The unsubscribe that lands before the send wins.
            let Some(subscriber) = subscriber.filter(|s| s.status == "active") else {
                return Ok(None);
            };
            let event = context.events.get(&row.subject_id).ok_or_else(|| {
                anyhow::anyhow!("event {} unknown to the notifier", row.subject_id)
            })?;
            let footer = templates::Footer {
                manage: state.links.manage(subscriber.id, &subscriber.email),
                unsubscribe: state.links.unsubscribe(subscriber.id, &subscriber.email),
            };
            if kind == Kind::EventPublished {
                let url = state.links.page(&format!("/events/{}", event.event_id));
                Ok(Some(templates::event_published(
                    language,
                    &row.recipient,
                    event,
                    &url,
                    &footer,
                )))
            } else {
                let reason = row
                    .context
                    .get("reason")
                    .and_then(|r| r.as_str())
                    .unwrap_or("");
                Ok(Some(templates::event_cancelled(
                    language,
                    &row.recipient,
                    event,
                    reason,
                    &footer,
                )))
            }
        }
        Kind::BookingApproved | Kind::BookingCancelled => {
            let booking: BookingSummary = serde_json::from_value(row.context["booking"].clone())?;
            let reason = row.context.get("reason").and_then(|r| r.as_str());
            Ok(Some(templates::booking_decided(
                &row.recipient,
                &booking,
                kind == Kind::BookingApproved,
                reason,
                zone,
            )))
        }
        Kind::BookingRejected => {
            let rejected: BookingRejected = serde_json::from_value(row.context.clone())?;
            Ok(Some(templates::booking_rejected(
                &row.recipient,
                &rejected,
                zone,
            )))
        }
    }
}

/// Writes each outcome back.
async fn record(
    state: &AppState,
    outcomes: Vec<(deliveries::Model, Outcome)>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let max_attempts = i32::try_from(state.settings.email.max_attempts).unwrap_or(i32::MAX);
    let txn = state.db.begin().await?;
    let sent: Vec<Uuid> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Sent))
        .map(|(r, _)| r.id)
        .collect();
    for chunk in sent.chunks(1000) {
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value("sent"))
            .col_expr(deliveries::Column::SentAt, Expr::value(Some(now)))
            .col_expr(
                deliveries::Column::Attempts,
                Expr::col(deliveries::Column::Attempts).add(1),
            )
            .filter(deliveries::Column::Id.is_in(chunk.iter().copied()))
            .exec(&*txn)
            .await?;
    }
    for (row, outcome) in &outcomes {
        metrics::counter!(
            "piazza_emails_total",
            "kind" => row.kind.clone(),
            "outcome" => match outcome { Outcome::Sent => "sent", Outcome::Skipped(_) => "skipped", Outcome::Failed(SendError::Temporary(_)) => "temporary_failure", Outcome::Failed(SendError::Permanent(_)) => "permanent_failure" }
        )
        .increment(1);
        let attempts = row.attempts + 1;
        let (state_value, next, error) = match outcome {
            Outcome::Sent => continue,
            Outcome::Skipped(reason) => ("cancelled", now, reason.clone()),
            Outcome::Failed(SendError::Temporary(e)) if attempts < max_attempts => {
                let delay = backoff(u32::try_from(attempts).unwrap_or(1).saturating_add(2));
                (
                    "pending",
                    now + Duration::from_std(delay).unwrap_or(Duration::seconds(5)),
                    e.clone(),
                )
            }
            Outcome::Failed(SendError::Temporary(e)) => ("failed", now, e.clone()),
            Outcome::Failed(SendError::Permanent(e)) => {
                suppress(&*txn, &row.recipient, e).await?;
                ("failed", now, e.clone())
            }
        };
        if state_value == "failed" {
            tracing::warn!(delivery_id = %row.id, kind = %row.kind, error = %error, "email given up");
        }
        deliveries::Entity::update_many()
            .col_expr(deliveries::Column::State, Expr::value(state_value))
            .col_expr(deliveries::Column::NextAttemptAt, Expr::value(next))
            .col_expr(deliveries::Column::LastError, Expr::value(Some(error)))
            .col_expr(deliveries::Column::Attempts, Expr::value(attempts))
            .filter(deliveries::Column::Id.eq(row.id))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await
}

/// Stops all sending to `email` after a permanent refusal.
async fn suppress(conn: &impl ConnectionTrait, email: &str, reason: &str) -> Result<(), DbErr> {
    suppressions::Entity::insert(suppressions::ActiveModel::from(suppressions::Model {
        email: email.to_string(),
        reason: reason.to_string(),
        at: Utc::now(),
    }))
    .on_conflict(
        OnConflict::column(suppressions::Column::Email)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
