//! Adding a space to the catalogue; under a parent, it is held at once by the live bookings
//! of the spaces above it.

use super::fields::{
    check_buffer, check_capacity, check_codes, check_coordinates, check_text, info,
};
use crate::{
    db::{holds, spaces, tree_lock},
    domain::{FundingLine, OpeningHours, SpaceKind, SpaceStatus, WeeklyHours},
    error::BookingError,
    state::AppState,
    views::SpaceView,
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::{Accessibility, Equipment, space::SpaceCreated},
    http::{ApiError, Violations},
    time::parse_zone,
};
use sea_orm::EntityTrait;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A new space.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpace {
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: String,
    #[schema(max_length = 200, pattern = "\\S")]
    pub building: String,
    #[schema(max_length = 300, pattern = "\\S")]
    pub address: String,
    pub kind: SpaceKind,
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: i64,
    /// Codes of the accessibility vocabulary; an unknown code is a 422 naming its place.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub accessibility: Vec<Accessibility>,
    /// Codes of the equipment vocabulary; an unknown code is a 422 naming its place.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub equipment: Vec<Equipment>,
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
    pub funding: Option<FundingLine>,
    #[serde(default)]
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    #[serde(default)]
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1440)]
    pub setup_minutes: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1440)]
    pub teardown_minutes: Option<i64>,
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
    let accessibility = check_codes(&mut v, "accessibility", &body.accessibility);
    let equipment = check_codes(&mut v, "equipment", &body.equipment);
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
        accessibility,
        equipment,
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
