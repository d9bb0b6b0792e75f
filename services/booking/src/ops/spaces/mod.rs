//! The catalogue of spaces: adding one ([`create`]), changing one ([`update()`]: new buffers or a
//! new parent take its live bookings' holds along) and finding them ([`search`]: filters, free
//! time, availability). Each change is a `space.*` message and an audit entry.

pub mod search;
pub mod update;

use crate::{
    db::{holds, spaces, tree_lock},
    domain::{Funding, OpeningHours, SpaceKind, SpaceStatus, WeeklyHours},
    error::BookingError,
    state::AppState,
    views::{SpaceView, stored_strings},
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::space::{SpaceCreated, SpaceInfo},
    http::{ApiError, Violations},
    time::parse_zone,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use search::{Availability, FreeSlot, RangeQuery, SpaceFilter, availability, free_slots, list};
pub use update::{SpacePatch, update};

/// A new space.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpace {
    pub name: String,
    pub building: String,
    pub address: String,
    pub kind: SpaceKind,
    pub capacity: i64,
    #[serde(default)]
    pub accessibility: Vec<String>,
    #[serde(default)]
    pub equipment: Vec<String>,
    /// IANA zone; defaults to the configured one.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Empty means always open.
    #[serde(default)]
    pub opening_hours: Vec<OpeningHours>,
    /// The space this one is part of (a room on a floor).
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    #[serde(default)]
    pub status: Option<SpaceStatus>,
    #[serde(default)]
    pub funding: Option<Funding>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub setup_minutes: Option<i64>,
    #[serde(default)]
    pub teardown_minutes: Option<i64>,
}

pub(crate) fn check_text(v: &mut Violations, field: &str, value: &str, max: usize) {
    v.check(!value.trim().is_empty(), field, "must not be empty");
    v.check(
        value.chars().count() <= max,
        field,
        format!("must be at most {max} characters"),
    );
}

fn check_tags(v: &mut Violations, field: &str, tags: &[String]) -> Vec<String> {
    let mut clean: Vec<String> = Vec::new();
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() || tag.chars().count() > 60 {
            v.add(format!("{field}[{i}]"), "must be 1 to 60 characters");
        } else if !clean.contains(&tag) {
            clean.push(tag);
        }
    }
    v.check(tags.len() <= 50, field, "at most 50 entries");
    clean
}

fn check_capacity(v: &mut Violations, capacity: i64) {
    v.check(
        (1..=100_000).contains(&capacity),
        "capacity",
        "must be between 1 and 100000",
    );
}

fn check_buffer(v: &mut Violations, field: &str, minutes: Option<i64>) -> i32 {
    let minutes = minutes.unwrap_or(0);
    v.check(
        (0..=1440).contains(&minutes),
        field,
        "must be between 0 and 1440 minutes",
    );
    i32::try_from(minutes.clamp(0, 1440)).unwrap_or(0)
}

fn check_coordinates(v: &mut Violations, latitude: Option<f64>, longitude: Option<f64>) {
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
fn info(space: &spaces::Model) -> SpaceInfo {
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

/// One space (anyone may read the catalogue).
pub async fn get(state: &AppState, id: Uuid) -> Result<SpaceView, BookingError> {
    Ok(find(state.db.conn(), id).await?.into())
}

/// Adds a space to the catalogue (administrators).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewSpace,
) -> Result<SpaceView, BookingError> {
    caller.require(&[Role::Admin])?;
    let mut v = Violations::new();
    check_text(&mut v, "name", &body.name, 200);
    check_text(&mut v, "building", &body.building, 200);
    check_text(&mut v, "address", &body.address, 300);
    check_capacity(&mut v, body.capacity);
    let accessibility = check_tags(&mut v, "accessibility", &body.accessibility);
    let equipment = check_tags(&mut v, "equipment", &body.equipment);
    let zone = match &body.time_zone {
        Some(name) => v.take("time_zone", parse_zone(name)),
        None => Some(state.settings.time_zone),
    };
    WeeklyHours::parse(&body.opening_hours, "opening_hours", &mut v);
    let setup = check_buffer(&mut v, "setup_minutes", body.setup_minutes);
    let teardown = check_buffer(&mut v, "teardown_minutes", body.teardown_minutes);
    check_coordinates(&mut v, body.latitude, body.longitude);
    // The parent is looked up again under the tree lock below; this answers early.
    if let Some(parent) = body.parent_id
        && spaces::Entity::find_by_id(parent)
            .one(state.db.conn())
            .await?
            .is_none()
    {
        v.add("parent_id", "no space has this id");
    }
    v.finish()?;
    let zone = zone.unwrap_or(state.settings.time_zone);
    let now = piazza_shared::clock::now();
    let model = spaces::Model {
        id: Uuid::now_v7(),
        parent_id: body.parent_id,
        name: body.name.trim().to_string(),
        building: body.building.trim().to_string(),
        address: body.address.trim().to_string(),
        kind: body.kind.as_str().to_string(),
        capacity: i32::try_from(body.capacity).unwrap_or(1),
        accessibility: serde_json::json!(accessibility),
        equipment: serde_json::json!(equipment),
        time_zone: zone.name().to_string(),
        opening_hours: serde_json::to_value(&body.opening_hours).unwrap_or_default(),
        status: body
            .status
            .unwrap_or(SpaceStatus::Open)
            .as_str()
            .to_string(),
        funding: body.funding.map(|f| f.as_str().to_string()),
        latitude: body.latitude,
        longitude: body.longitude,
        setup_minutes: setup,
        teardown_minutes: teardown,
        created_at: now,
        updated_at: now,
    };
    let unit = state.begin().await?;
    if let Some(parent) = model.parent_id {
        // A room added under a booked hall is held by the hall's live bookings from the start.
        tree_lock::exclusive(&*unit).await?;
        if spaces::Entity::find_by_id(parent)
            .one(&*unit)
            .await?
            .is_none()
        {
            return Err(ApiError::field("parent_id", "no space has this id").into());
        }
    }
    spaces::Entity::insert(spaces::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    if let Some(parent) = model.parent_id {
        holds::inherit(&*unit, model.id, parent).await?;
    }
    let message = SpaceCreated {
        version: 1,
        space: info(&model),
    };
    unit.publish(&message, None).await?;
    let after = audit::json(&SpaceView::from(model.clone()));
    unit.audit(&caller.0, "space.create", model.id, None, after)
        .await?;
    unit.commit().await?;
    tracing::info!(space_id = %model.id, actor = %caller.0.sub, "space created");
    Ok(model.into())
}
