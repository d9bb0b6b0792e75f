//! Who hears about an event: confirmed subscribers with a shared interest whose age fits the
//! event's range (an age that may be in range, given only the birth year, counts).

use crate::{db::subscribers, domain::age_range};
use piazza_shared::contracts::{Category, event::EventSummary};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Whether a subscriber with these interests and birth year matches `event` in `year`.
pub fn matches(interests: &[Category], birth_year: i32, event: &EventSummary, year: i32) -> bool {
    if !interests.iter().any(|i| event.categories.contains(i)) {
        return false;
    }
    let (youngest, oldest) = age_range(birth_year, year);
    let min_ok = event.age_min.is_none_or(|min| oldest >= i32::from(min));
    let max_ok = event.age_max.is_none_or(|max| youngest <= i32::from(max));
    min_ok && max_ok
}

/// Every active subscriber who wants emails at `frequency`.
pub async fn subscribers_for_frequency(
    conn: &impl ConnectionTrait,
    frequency: &str,
) -> Result<Vec<subscribers::Model>, DbErr> {
    subscribers::Entity::find()
        .filter(subscribers::Column::Status.eq("active"))
        .filter(subscribers::Column::Frequency.eq(frequency))
        .all(conn)
        .await
}

/// Active subscribers with `frequency` who match `event`.
pub async fn subscribers_for(
    conn: &impl ConnectionTrait,
    event: &EventSummary,
    frequency: &str,
    year: i32,
) -> Result<Vec<subscribers::Model>, DbErr> {
    Ok(subscribers_for_frequency(conn, frequency)
        .await?
        .into_iter()
        .filter(|s| {
            let interests: Vec<Category> =
                serde_json::from_value(s.interests.clone()).unwrap_or_default();
            matches(&interests, s.birth_year, event, year)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(categories: Vec<Category>, age_min: Option<u8>, age_max: Option<u8>) -> EventSummary {
        EventSummary {
            event_id: uuid::Uuid::now_v7(),
            title: "t".into(),
            description: String::new(),
            categories,
            age_min,
            age_max,
            time_zone: "Europe/Rome".into(),
            occurrences: vec![],
            place: None,
            capacity: None,
        }
    }

    #[test]
    fn interest_and_age_must_both_fit() {
        let music_teens = event(vec![Category::Music], Some(14), Some(19));
        assert!(matches(
            &[Category::Music, Category::Dance],
            2010,
            &music_teens,
            2026
        ));
        assert!(!matches(&[Category::Theatre], 2010, &music_teens, 2026));
        // Born 2000: 25 or 26 in 2026, over 19.
        assert!(!matches(&[Category::Music], 2000, &music_teens, 2026));
        // Born 2012: 13 or 14 in 2026 — may already be 14.
        assert!(matches(&[Category::Music], 2012, &music_teens, 2026));
        assert!(matches(
            &[Category::Music],
            1950,
            &event(vec![Category::Music], None, None),
            2026
        ));
    }
}
