//! The weekly digest (`digest.due`): one email per weekly subscriber listing their matching
//! published events that take place in the window, none for someone with nothing to read.
//!
//! A digest is keyed by the subscriber and the week (the local Monday the window starts in), not
//! by the firing: a replayed message, a firing run again, or a second firing in the same week
//! never sends a second digest.

use crate::{
    db::{
        deliveries::{NewDelivery, enqueue},
        events, subscribers,
    },
    domain::{EventStatus, Frequency, Kind, matches, takes_place_in},
};
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use piazza_shared::{
    bus::HandleError,
    contracts::{Language, event::EventSummary, jobs::DigestDue},
};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

/// High half of every digest key ("piazza-d" in ASCII), so it cannot meet a UUIDv7 subject.
const DIGEST_KEY: u64 = 0x7069_617a_7a61_2d64;

/// The digest subject for the week `at` falls in, in `zone`: the same for every instant of one
/// local week, Monday to Sunday.
pub fn week_key(at: DateTime<Utc>, zone: Tz) -> Uuid {
    let local = at.with_timezone(&zone).date_naive();
    let monday = local - chrono::Duration::days(i64::from(local.weekday().num_days_from_monday()));
    let day = u64::try_from(monday.num_days_from_ce()).unwrap_or(0);
    Uuid::from_u64_pair(DIGEST_KEY, day)
}

pub async fn due(
    txn: &DatabaseTransaction,
    message: &DigestDue,
    zone: Tz,
) -> Result<(), HandleError> {
    let (start, end) = (message.window_start, message.window_end);
    let week: Vec<EventSummary> = events::Entity::find()
        .filter(events::Column::Status.eq(EventStatus::Published.as_str()))
        .filter(events::Column::FirstStartsAt.lt(end))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|e| serde_json::from_value::<EventSummary>(e.summary).ok())
        .filter(|e| takes_place_in(e, start, end))
        .collect();
    let year = start.with_timezone(&zone).year();
    let subject = week_key(start, zone);
    let mut items = Vec::new();
    if !week.is_empty() {
        for s in subscribers::active_at(txn, Frequency::Weekly).await? {
            let interests = s.interests();
            let theirs: Vec<Uuid> = week
                .iter()
                .filter(|e| matches(&interests, s.birth_year, e, year))
                .map(|e| e.event_id)
                .collect();
            if theirs.is_empty() {
                continue;
            }
            items.push(NewDelivery {
                kind: Kind::WeeklyDigest,
                subject_id: subject,
                recipient: s.email,
                subscriber_id: Some(s.id),
                language: Language::parse(&s.language).unwrap_or_default(),
                context: serde_json::json!({
                    "window_start": start,
                    "window_end": end,
                    "events": theirs,
                }),
            });
        }
    }
    let readers = items.len();
    let created = enqueue(txn, items).await?;
    tracing::info!(run_id = %message.run_id, events = week.len(), readers, created, "weekly digest queued");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn every_instant_of_a_local_week_has_the_same_key_and_the_next_week_another() {
        let rome = chrono_tz::Europe::Rome;
        let at = |d, h| {
            rome.with_ymd_and_hms(2027, 3, d, h, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        // Monday 1 March 2027, 00:00 and 09:00, and Sunday 7 March 23:00 (local).
        assert_eq!(week_key(at(1, 0), rome), week_key(at(1, 9), rome));
        assert_eq!(week_key(at(1, 9), rome), week_key(at(7, 23), rome));
        assert_ne!(week_key(at(7, 23), rome), week_key(at(8, 0), rome));
    }
}
