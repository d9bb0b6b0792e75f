//! Reading event fields from requests: the checks creating and editing an event share.

use crate::{
    db::{programmes, seasons},
    domain::{SeasonStatus, TextRule, check_text},
};
use chrono_tz::Tz;
use piazza_shared::{
    contracts::Category,
    http::{ApiError, Violations},
    recurrence::Exclusion,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

/// Reads a field that may be absent (leave as is), `null` (clear it) or a value.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

pub fn check_ages(v: &mut Violations, min: Option<i64>, max: Option<i64>) {
    for (field, age) in [("age_min", min), ("age_max", max)] {
        if let Some(age) = age {
            v.check((0..=120).contains(&age), field, "must be between 0 and 120");
        }
    }
    if let (Some(min), Some(max)) = (min, max) {
        v.check(min <= max, "age_min", "must not be greater than age_max");
    }
}

pub fn check_capacity(v: &mut Violations, field: &str, capacity: Option<i64>) -> Option<i32> {
    let capacity = capacity?;
    v.check(
        (1..=100_000).contains(&capacity),
        field,
        "must be between 1 and 100000",
    );
    i32::try_from(capacity).ok()
}

pub fn check_price(v: &mut Violations, price: i64) -> i32 {
    v.check(
        (0..=1_000_000).contains(&price),
        "price_cents",
        "must be between 0 (free) and 1000000 euro cents",
    );
    i32::try_from(price).unwrap_or(0)
}

pub fn check_closes(v: &mut Violations, minutes: Option<i64>) -> Option<i32> {
    let minutes = minutes?;
    v.check(
        (0..=60 * 24 * 60).contains(&minutes),
        "registration_closes_minutes",
        "must be between 0 and 86400 (60 days)",
    );
    i32::try_from(minutes).ok()
}

pub fn check_categories(v: &mut Violations, categories: &[Category]) -> serde_json::Value {
    v.check(
        !categories.is_empty(),
        "categories",
        "give at least one category",
    );
    let mut list = categories.to_vec();
    list.sort();
    list.dedup();
    serde_json::to_value(list).unwrap_or_default()
}

pub fn check_exdates(v: &mut Violations, values: &[String], zone: Tz) -> Vec<Exclusion> {
    v.check(
        values.len() <= 1000,
        "exdates",
        "give at most 1000 exclusions",
    );
    values
        .iter()
        .enumerate()
        .filter_map(|(i, value)| v.take(&format!("exdates[{i}]"), Exclusion::parse(value, zone)))
        .collect()
}

pub fn exdates_json(exclusions: &[Exclusion]) -> serde_json::Value {
    let mut list: Vec<String> = exclusions.iter().map(|e| e.to_text()).collect();
    list.sort();
    list.dedup();
    serde_json::to_value(list).unwrap_or_default()
}

pub fn stored_exdates(value: &serde_json::Value, zone: Tz) -> Vec<Exclusion> {
    crate::views::exdates_of(value)
        .iter()
        .filter_map(|text| Exclusion::parse(text, zone).ok())
        .collect()
}

pub fn check_title(v: &mut Violations, title: &str) -> String {
    check_text(v, "title", title, TextRule::TITLE)
}

/// The season an event goes into (404 when unknown; an archived season takes nothing new).
pub async fn season(
    conn: &impl ConnectionTrait,
    v: &mut Violations,
    id: Option<Uuid>,
) -> Result<Option<seasons::Model>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    let season = seasons::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("season"))?;
    v.check(
        season.status != SeasonStatus::Archived.as_str(),
        "season_id",
        "the season is archived",
    );
    Ok(Some(season))
}

/// The programme an event joins (404 when unknown); it must be in the event's season.
pub async fn programme(
    conn: &impl ConnectionTrait,
    v: &mut Violations,
    id: Option<Uuid>,
    season_id: Option<Uuid>,
) -> Result<Option<programmes::Model>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    let programme = programmes::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("programme"))?;
    if let Some(season) = season_id {
        v.check(
            programme.season_id == season,
            "programme_id",
            "the programme belongs to another season",
        );
    }
    Ok(Some(programme))
}

/// Checks a cancellation reason.
pub fn reason(text: &str) -> Result<String, ApiError> {
    let mut v = Violations::new();
    let reason = check_text(&mut v, "reason", text, TextRule::REASON);
    v.finish()?;
    Ok(reason)
}
