//! Many confirmed subscribers at once, written straight into the notifier's database (as if each
//! had subscribed and confirmed), for fan-outs in the fault suite and the benchmark; and the
//! announcement of an event that matches them all.

use chrono::Duration;
use piazza_notifier::db::subscribers;
use piazza_shared::{
    Envelope,
    contracts::{
        Category,
        event::{EventPublished, EventSummary, Occurrence},
    },
    db::Db,
};
use sea_orm::EntityTrait;
use uuid::Uuid;

/// Writes `count` active subscribers (`<prefix>000000@example.org`, …) who want instant emails
/// about `category`, born in 2005, half in Italian and half in English; returns their addresses.
pub async fn seed(db: &Db, prefix: &str, count: usize, category: Category) -> Vec<String> {
    let now = crate::clock::now();
    let mut addresses = Vec::with_capacity(count);
    let mut rows = Vec::with_capacity(1000);
    for n in 0..count {
        let email = format!("{prefix}{n:06}@example.org");
        addresses.push(email.clone());
        rows.push(subscribers::ActiveModel::from(subscribers::Model {
            id: Uuid::now_v7(),
            email,
            interests: serde_json::json!([category]),
            birth_year: 2005,
            language: if n % 2 == 0 { "it" } else { "en" }.into(),
            frequency: "instant".into(),
            guardian_email: None,
            status: "active".into(),
            created_at: now,
            confirmed_at: Some(now),
            unsubscribed_at: None,
        }));
        if rows.len() == 1000 || n + 1 == count {
            subscribers::Entity::insert_many(std::mem::take(&mut rows))
                .exec_without_returning(db.conn())
                .await
                .expect("seeding subscribers");
        }
    }
    addresses
}

/// An event of `category`, as the scheduler would announce it; every subscriber seeded with
/// that category matches it.
pub fn event(title: &str, category: Category) -> (Uuid, Envelope) {
    let event_id = Uuid::now_v7();
    let starts_at = crate::clock::now() + Duration::days(30);
    let message = EventPublished {
        version: 1,
        event: EventSummary {
            event_id,
            title: title.to_string(),
            description:
                "Le band dei licei cremonesi in concerto nel cortile di Palazzo Affaitati: \
                          ingresso libero, posti a sedere per i primi arrivati."
                    .into(),
            categories: vec![category],
            age_min: Some(14),
            age_max: Some(29),
            time_zone: "Europe/Rome".into(),
            occurrences: vec![Occurrence {
                occurrence_id: Uuid::now_v7(),
                starts_at,
                ends_at: starts_at + Duration::hours(2),
            }],
            place: None,
            capacity: None,
            funding_line: None,
            season_id: None,
        },
    };
    (event_id, Envelope::new("scheduler", &message, None))
}
