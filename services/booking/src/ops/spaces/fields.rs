//! The checks of a space's fields that adding and changing one share, what other services hear
//! about a space, and finding one by id.

use crate::{db::spaces, error::BookingError, views::stored_strings};
use piazza_shared::{
    contracts::{Feature, space::SpaceInfo},
    http::{ApiError, Violations},
};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

pub(crate) fn check_text(v: &mut Violations, field: &str, value: &str, max: usize) {
    v.check(!value.trim().is_empty(), field, "must not be empty");
    v.check(
        value.chars().count() <= max,
        field,
        format!("must be at most {max} characters"),
    );
}

/// A list of vocabulary codes (equipment, accessibility) as stored: each code once, in the
/// vocabulary's order. The codes themselves were checked when the body was read.
pub(super) fn check_codes<F: Feature>(
    v: &mut Violations,
    field: &str,
    codes: &[F],
) -> serde_json::Value {
    v.check(codes.len() <= 50, field, "at most 50 entries");
    let stored: Vec<&str> = F::ALL
        .iter()
        .filter(|f| codes.contains(f))
        .map(|f| f.as_str())
        .collect();
    serde_json::json!(stored)
}

pub(super) fn check_capacity(v: &mut Violations, capacity: i64) {
    v.check(
        (1..=100_000).contains(&capacity),
        "capacity",
        "must be between 1 and 100000",
    );
}

pub(super) fn check_buffer(v: &mut Violations, field: &str, minutes: Option<i64>) -> i32 {
    let minutes = minutes.unwrap_or(0);
    v.check(
        (0..=1440).contains(&minutes),
        field,
        "must be between 0 and 1440 minutes",
    );
    i32::try_from(minutes.clamp(0, 1440)).unwrap_or(0)
}

pub(super) fn check_coordinates(v: &mut Violations, latitude: Option<f64>, longitude: Option<f64>) {
    if let Some(lat) = latitude {
        v.check(
            (-90.0..=90.0).contains(&lat),
            "latitude",
            "must be between -90 and 90",
        );
    }
    if let Some(lon) = longitude {
        v.check(
            (-180.0..=180.0).contains(&lon),
            "longitude",
            "must be between -180 and 180",
        );
    }
}

/// What other services hear about a space.
pub(super) fn info(space: &spaces::Model) -> SpaceInfo {
    SpaceInfo {
        space_id: space.id,
        name: space.name.clone(),
        building: space.building.clone(),
        address: space.address.clone(),
        kind: space.kind.clone(),
        capacity: u32::try_from(space.capacity).unwrap_or(0),
        time_zone: space.time_zone.clone(),
        status: space.status.clone(),
        parent_id: space.parent_id,
        accessibility: stored_strings(&space.accessibility),
    }
}

/// The space `id`, or 404.
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<spaces::Model, BookingError> {
    Ok(spaces::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("space"))?)
}
