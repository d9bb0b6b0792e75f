//! Who hears about an event, and when an event takes place (the rules; the query that applies
//! them is in `db::subscribers`): confirmed subscribers with a shared interest whose age fits the
//! event's range (an age that may be in range, given only the birth year, counts).

use chrono::{DateTime, Utc};
use piazza_shared::contracts::{Category, event::EventSummary};

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

/// Whether `event` has an occurrence starting in `[start, end)`.
pub fn takes_place_in(event: &EventSummary, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    event
        .occurrences
        .iter()
        .any(|o| o.starts_at >= start && o.starts_at < end)
}

/// Someone's age in `year`, as a range (before and after their birthday).
fn age_range(birth_year: i32, year: i32) -> (i32, i32) {
    (year - birth_year - 1, year - birth_year)
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
            funding_line: None,
            season_id: None,
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
