//! Importing external calendars into a season: each feed is fetched (conditionally), read, and
//! its events brought in line in one transaction. A feed that cannot be fetched or read changes
//! nothing; the failure is recorded on the feed and shown on its season.

pub mod address;
pub mod fetch;
pub mod parse;
pub mod source;
pub mod sync;

use crate::{
    db::{feeds, seasons},
    domain::SeasonStatus,
    state::AppState,
};
use chrono::{DateTime, Utc};
use fetch::{Fetched, Fetcher};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;
use uuid::Uuid;

pub use sync::Report;

/// How a refresh went.
#[derive(Debug)]
pub enum Refresh {
    /// The server said 304.
    NotModified,
    Applied(Report),
    /// Nothing changed; the reason is recorded on the feed.
    Failed(String),
}

/// The import client from the settings.
pub fn fetcher(state: &AppState) -> anyhow::Result<Fetcher> {
    let settings = &state.settings.scheduler;
    Fetcher::new(
        Duration::from_secs(settings.import_timeout_seconds),
        settings.import_max_bytes,
        fetch::AllowedHosts::new(&settings.import_allowed_hosts),
    )
}

/// The validators (ETag, Last-Modified) of a full answer.
type Validators = (Option<String>, Option<String>);

/// Records how a fetch went: a success (with new validators after a full answer, none after a
/// 304) or why it failed.
async fn record(
    state: &AppState,
    mut feed: feeds::Model,
    now: DateTime<Utc>,
    outcome: &Result<Option<Validators>, String>,
) -> Result<(), sea_orm::DbErr> {
    feed.last_fetched_at = Some(now);
    match outcome {
        Ok(validators) => {
            if let Some((etag, last_modified)) = validators {
                feed.etag = etag.clone();
                feed.last_modified = last_modified.clone();
            }
            feed.last_success_at = Some(now);
            feed.last_error = None;
            feed.failures = 0;
        }
        Err(error) => {
            feed.last_error = Some(error.clone());
            feed.failures = feed.failures.saturating_add(1);
        }
    }
    feeds::ActiveModel::from(feed)
        .reset_all()
        .update(state.db.conn())
        .await
        .map(|_| ())
}

/// Fetches one feed and applies it.
#[tracing::instrument(skip_all, fields(feed_id = %feed_id))]
pub async fn refresh(
    state: &AppState,
    fetcher: &Fetcher,
    feed_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<Refresh> {
    let Some(feed) = feeds::Entity::find_by_id(feed_id)
        .one(state.db.conn())
        .await?
    else {
        anyhow::bail!("no feed {feed_id}");
    };
    let fetched = fetcher
        .fetch(
            &feed.url,
            feed.etag.as_deref(),
            feed.last_modified.as_deref(),
        )
        .await;
    let (text, etag, last_modified) = match fetched {
        Ok(Fetched::NotModified) => {
            record(state, feed, now, &Ok(None)).await?;
            return Ok(Refresh::NotModified);
        }
        Ok(Fetched::Calendar {
            text,
            etag,
            last_modified,
        }) => (text, etag, last_modified),
        Err(error) => {
            let message = format!("fetching failed: {error}");
            tracing::warn!(url = %feed.url, %message, "feed not imported");
            record(state, feed, now, &Err(message.clone())).await?;
            return Ok(Refresh::Failed(message));
        }
    };
    let calendar = match parse::parse(&text) {
        Ok(calendar) => calendar,
        Err(error) => {
            let message = format!("not a valid calendar: {error}");
            tracing::warn!(url = %feed.url, %message, "feed not imported");
            record(state, feed, now, &Err(message.clone())).await?;
            return Ok(Refresh::Failed(message));
        }
    };
    let (sources, skipped) = source::sources(&calendar);
    let Some(season) = seasons::Entity::find_by_id(feed.season_id)
        .one(state.db.conn())
        .await?
    else {
        anyhow::bail!("the feed's season is gone");
    };
    let txn = state.begin().await?;
    let applied = sync::apply(state, &*txn, &feed, &season, sources, skipped, now).await;
    match applied {
        Ok(report) => {
            txn.commit().await?;
            record(state, feed, now, &Ok(Some((etag, last_modified)))).await?;
            tracing::info!(
                created = report.created,
                updated = report.updated,
                cancelled = report.cancelled,
                skipped = report.skipped.len(),
                "feed imported"
            );
            Ok(Refresh::Applied(report))
        }
        Err(error) => {
            txn.rollback().await?;
            let message = format!("could not apply it: {error}");
            tracing::error!(%message, "feed not imported");
            record(state, feed, now, &Err(message.clone())).await?;
            Ok(Refresh::Failed(message))
        }
    }
}

/// Refreshes every feed of the seasons that are not archived.
pub async fn refresh_all(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<u32> {
    let live: Vec<Uuid> = seasons::Entity::find()
        .filter(seasons::Column::Status.ne(SeasonStatus::Archived.as_str()))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let feeds = feeds::Entity::find()
        .filter(feeds::Column::SeasonId.is_in(live))
        .all(state.db.conn())
        .await?;
    let fetcher = fetcher(state)?;
    let mut done = 0;
    for feed in feeds {
        match refresh(state, &fetcher, feed.id, now).await {
            Ok(_) => done += 1,
            Err(error) => tracing::warn!(feed_id = %feed.id, %error, "feed refresh failed"),
        }
    }
    Ok(done)
}
