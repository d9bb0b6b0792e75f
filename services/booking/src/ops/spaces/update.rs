//! Changing a space. New buffers or a new parent apply to its live bookings too: under the
//! exclusive tree lock their holds are written again from the tree as it will be
//! ([`crate::db::rehold`]), and the change is refused when that would make live bookings overlap
//! or meet a closure.

use super::fields::{
    check_buffer, check_capacity, check_codes, check_coordinates, check_text, find, info,
};
use crate::{
    db::{rehold, spaces, tree::SpaceTree, tree_lock},
    domain::{FundingLine, OpeningHours, SpaceKind, SpaceStatus, WeeklyHours},
    error::BookingError,
    state::AppState,
    views::SpaceView,
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::{Accessibility, Equipment, space::SpaceUpdated},
    http::{ApiError, Violations},
    time::parse_zone,
};
use sea_orm::{EntityTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Changes to a space; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpacePatch {
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    #[schema(max_length = 200, pattern = "\\S")]
    pub building: Option<String>,
    #[schema(max_length = 300, pattern = "\\S")]
    pub address: Option<String>,
    pub kind: Option<SpaceKind>,
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i64>,
    /// Codes of the accessibility vocabulary; replaces the whole list.
    #[schema(max_items = 50)]
    pub accessibility: Option<Vec<Accessibility>>,
    /// Codes of the equipment vocabulary; replaces the whole list.
    #[schema(max_items = 50)]
    pub equipment: Option<Vec<Equipment>>,
    pub time_zone: Option<String>,
    pub opening_hours: Option<Vec<OpeningHours>>,
    pub status: Option<SpaceStatus>,
    pub funding: Option<FundingLine>,
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: Option<f64>,
    #[schema(minimum = 0, maximum = 1440)]
    pub setup_minutes: Option<i64>,
    #[schema(minimum = 0, maximum = 1440)]
    pub teardown_minutes: Option<i64>,
    /// Moves the space (with everything inside it) under another; `null` to the top. Refused
    /// with 409 when live bookings would then overlap or meet a closure.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub parent_id: Option<Option<Uuid>>,
}

/// A field that is present, even as `null`, is `Some`: `null` means "no parent".
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// The patch checked and laid over `space`.
fn patched(space: &spaces::Model, patch: &SpacePatch) -> Result<spaces::ActiveModel, BookingError> {
    let id = space.id;
    let mut v = Violations::new();
    let mut active: spaces::ActiveModel = space.clone().into();
    if let Some(name) = &patch.name {
        check_text(&mut v, "name", name, 200);
        active.name = Set(name.trim().to_string());
    }
    if let Some(building) = &patch.building {
        check_text(&mut v, "building", building, 200);
        active.building = Set(building.trim().to_string());
    }
    if let Some(address) = &patch.address {
        check_text(&mut v, "address", address, 300);
        active.address = Set(address.trim().to_string());
    }
    if let Some(kind) = patch.kind {
        active.kind = Set(kind.as_str().to_string());
    }
    if let Some(capacity) = patch.capacity {
        check_capacity(&mut v, capacity);
        active.capacity = Set(i32::try_from(capacity.clamp(1, 100_000)).unwrap_or(1));
    }
    if let Some(tags) = &patch.accessibility {
        active.accessibility = Set(check_codes(&mut v, "accessibility", tags));
    }
    if let Some(tags) = &patch.equipment {
        active.equipment = Set(check_codes(&mut v, "equipment", tags));
    }
    if let Some(zone) = &patch.time_zone
        && let Some(zone) = v.take("time_zone", parse_zone(zone))
    {
        active.time_zone = Set(zone.name().to_string());
    }
    if let Some(hours) = &patch.opening_hours {
        WeeklyHours::parse(hours, "opening_hours", &mut v);
        active.opening_hours = Set(serde_json::to_value(hours).unwrap_or_default());
    }
    if let Some(status) = patch.status {
        active.status = Set(status.as_str().to_string());
    }
    if let Some(funding) = patch.funding {
        active.funding = Set(Some(funding.as_str().to_string()));
    }
    check_coordinates(&mut v, patch.latitude, patch.longitude);
    if patch.latitude.is_some() {
        active.latitude = Set(patch.latitude);
    }
    if patch.longitude.is_some() {
        active.longitude = Set(patch.longitude);
    }
    if patch.setup_minutes.is_some() {
        active.setup_minutes = Set(check_buffer(&mut v, "setup_minutes", patch.setup_minutes));
    }
    if patch.teardown_minutes.is_some() {
        active.teardown_minutes = Set(check_buffer(
            &mut v,
            "teardown_minutes",
            patch.teardown_minutes,
        ));
    }
    if let Some(Some(parent)) = patch.parent_id {
        v.check(parent != id, "parent_id", "a space cannot be inside itself");
        active.parent_id = Set(Some(parent));
    } else if patch.parent_id == Some(None) {
        active.parent_id = Set(None);
    }
    v.finish()?;
    active.updated_at = Set(piazza_shared::clock::now());
    Ok(active)
}

/// Changes a space (administrators).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    patch: SpacePatch,
) -> Result<SpaceView, BookingError> {
    caller.require(&[Role::Admin])?;
    let space = find(state.db.conn(), id).await?;
    let active = patched(&space, &patch)?;
    let moves = patch.parent_id.is_some_and(|p| p != space.parent_id);
    let rebuffers = patch
        .setup_minutes
        .is_some_and(|m| m != i64::from(space.setup_minutes))
        || patch
            .teardown_minutes
            .is_some_and(|m| m != i64::from(space.teardown_minutes));
    let unit = state.begin().await?;
    let mut concerned = Vec::new();
    if moves || rebuffers {
        tree_lock::exclusive(&*unit).await?;
        let before = SpaceTree::load(&*unit).await?;
        let after = match patch.parent_id {
            Some(parent) if moves => {
                if let Some(parent) = parent {
                    if spaces::Entity::find_by_id(parent)
                        .one(&*unit)
                        .await?
                        .is_none()
                    {
                        return Err(ApiError::field("parent_id", "no space has this id").into());
                    }
                    if before.descendants(id).contains(&parent) {
                        return Err(ApiError::field(
                            "parent_id",
                            "a space cannot move inside a space it contains",
                        )
                        .into());
                    }
                }
                before.moved(id, parent)
            }
            _ => before.clone(),
        };
        concerned = rehold::concerned(&*unit, &before, &after, id).await?;
    }
    let updated = spaces::Entity::update(active).exec(&*unit).await?;
    let clashes = rehold::rewrite(&*unit, &concerned).await?;
    if !clashes.is_empty() {
        // Dropping the unit undoes the change.
        let field = match (moves, patch.setup_minutes.is_some()) {
            (true, _) => "parent_id",
            (false, true) => "setup_minutes",
            (false, false) => "teardown_minutes",
        };
        return Err(BookingError::TreeClash {
            field,
            clashes: clashes
                .into_iter()
                .map(|c| serde_json::to_value(c).unwrap_or_default())
                .collect(),
        });
    }
    let message = SpaceUpdated {
        version: 1,
        space: info(&updated),
    };
    unit.publish(&message, None).await?;
    let (before, after) = (SpaceView::from(space), SpaceView::from(updated.clone()));
    let (before, after) = (audit::json(&before), audit::json(&after));
    unit.audit(&caller.0, "space.update", id, before, after)
        .await?;
    unit.commit().await?;
    tracing::info!(space_id = %id, actor = %caller.0.sub, "space updated");
    let mut view = SpaceView::from(updated);
    view.image = super::image::image_views(state, &[id]).await?.remove(&id);
    Ok(view)
}
