//! `/api/v1/spaces`: the catalogue (public to read, admins to change), closures and availability.

use super::views::{SpaceView, stored_strings};
use crate::{
    busy,
    db::spaces,
    domain::{
        Funding, OpeningHours, SpaceKind, SpaceStatus, WeeklyHours,
        intervals::{Interval, subtract},
    },
    opening,
    placement::find_conflicts,
    rehold::{self, Clash},
    state::AppState,
    tree::SpaceTree,
    tree_lock,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::space::{SpaceCreated, SpaceInfo, SpaceUpdated},
    http::{ApiError, Json, Path, Problem, Query, Violations, page},
    time::{Bound, parse_bound, parse_zone},
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

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

/// Changes to a space; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpacePatch {
    pub name: Option<String>,
    pub building: Option<String>,
    pub address: Option<String>,
    pub kind: Option<SpaceKind>,
    pub capacity: Option<i64>,
    pub accessibility: Option<Vec<String>>,
    pub equipment: Option<Vec<String>>,
    pub time_zone: Option<String>,
    pub opening_hours: Option<Vec<OpeningHours>>,
    pub status: Option<SpaceStatus>,
    pub funding: Option<Funding>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub setup_minutes: Option<i64>,
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

/// The 409 of a tree change that would make live bookings overlap or meet a closure.
fn refused(field: &str, clashes: Vec<Clash>) -> ApiError {
    ApiError::conflict(
        format!(
            "{field}: the change would make {} live booking(s) overlap another or a closure; cancel or move them first",
            clashes.len()
        ),
        clashes
            .into_iter()
            .map(|c| {
                let mut value = serde_json::to_value(c).unwrap_or_default();
                value["field"] = serde_json::json!(field);
                value
            })
            .collect(),
    )
}

pub(super) fn check_text(v: &mut Violations, field: &str, value: &str, max: usize) {
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

/// Adds a space to the catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/spaces",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    request_body = NewSpace,
    responses(
        (status = 201, description = "The new space", body = SpaceView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewSpace>,
) -> Result<(StatusCode, axum::Json<SpaceView>), ApiError> {
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
    let txn = state.db.begin().await?;
    if let Some(parent) = model.parent_id {
        // A room added under a booked hall is held by the hall's live bookings from the start.
        tree_lock::exclusive(&*txn).await?;
        if spaces::Entity::find_by_id(parent)
            .one(&*txn)
            .await?
            .is_none()
        {
            return Err(ApiError::field("parent_id", "no space has this id"));
        }
    }
    spaces::Entity::insert(spaces::ActiveModel::from(model.clone()))
        .exec_without_returning(&*txn)
        .await?;
    if let Some(parent) = model.parent_id {
        rehold::inherit(&*txn, model.id, parent).await?;
    }
    state
        .outbox
        .add(
            &*txn,
            &SpaceCreated {
                version: 1,
                space: info(&model),
            },
            None,
        )
        .await?;
    let after = audit::json(&SpaceView::from(model.clone()));
    audit::record(&*txn, &caller.0, "space.create", model.id, None, after).await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(space_id = %model.id, actor = %caller.0.sub, "space created");
    Ok((StatusCode::CREATED, axum::Json(model.into())))
}

/// Filters of the catalogue.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SpaceFilter {
    /// Spaces holding at least this many people.
    pub capacity_min: Option<u32>,
    /// Comma-separated equipment every result must have.
    pub equipment: Option<String>,
    /// Comma-separated accessibility features every result must have.
    pub accessibility: Option<String>,
    pub kind: Option<SpaceKind>,
    pub building: Option<String>,
    pub status: Option<SpaceStatus>,
    /// With `free_to`: only spaces free for the whole range.
    pub free_from: Option<String>,
    pub free_to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

fn tags_of(list: &Option<String>) -> Vec<String> {
    list.as_deref()
        .unwrap_or("")
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Finds spaces.
#[utoipa::path(
    get,
    path = "/api/v1/spaces",
    tag = "spaces",
    security(()),
    params(SpaceFilter),
    responses(
        (status = 200, description = "Matching spaces, by name", body = piazza_shared::http::Page<SpaceView>),
        (status = 422, body = Problem),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<SpaceFilter>,
) -> Result<axum::Json<page::Page<SpaceView>>, ApiError> {
    let limit = page::limit(filter.limit)?;
    let after: Option<(String, Uuid)> = page::decode_cursor(filter.cursor.as_deref())?;
    let mut v = Violations::new();
    let zone = state.settings.time_zone;
    let free = match (&filter.free_from, &filter.free_to) {
        (None, None) => None,
        (Some(from), Some(to)) => {
            let from = v.take("free_from", parse_bound(from, zone, Bound::Start));
            let to = v.take("free_to", parse_bound(to, zone, Bound::End));
            if let (Some(f), Some(t)) = (from, to) {
                v.check(t > f, "free_to", "must be after free_from");
            }
            from.zip(to)
        }
        (Some(_), None) => {
            v.add("free_to", "is required with free_from");
            None
        }
        (None, Some(_)) => {
            v.add("free_from", "is required with free_to");
            None
        }
    };
    v.finish()?;

    let mut query = spaces::Entity::find();
    if let Some(min) = filter.capacity_min {
        query = query.filter(spaces::Column::Capacity.gte(i64::from(min)));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(spaces::Column::Kind.eq(kind.as_str()));
    }
    if let Some(building) = &filter.building {
        query = query.filter(spaces::Column::Building.eq(building.trim()));
    }
    match filter.status {
        Some(status) => query = query.filter(spaces::Column::Status.eq(status.as_str())),
        None => query = query.filter(spaces::Column::Status.ne(SpaceStatus::Retired.as_str())),
    }
    if let Some((name, id)) = &after {
        query = query.filter(
            Condition::any()
                .add(spaces::Column::Name.gt(name.clone()))
                .add(
                    spaces::Column::Name
                        .eq(name.clone())
                        .and(spaces::Column::Id.gt(*id)),
                ),
        );
    }
    let equipment = tags_of(&filter.equipment);
    let accessibility = tags_of(&filter.accessibility);
    let needs_scan = !equipment.is_empty() || !accessibility.is_empty() || free.is_some();
    let mut query = query
        .order_by_asc(spaces::Column::Name)
        .order_by_asc(spaces::Column::Id);
    if !needs_scan {
        query = query.limit(limit + 1);
    }
    let candidates = query.all(state.db.conn()).await?;
    let tree = if free.is_some() {
        SpaceTree::load(state.db.conn()).await?
    } else {
        SpaceTree::default()
    };
    let mut rows = Vec::new();
    for space in candidates {
        let has = |column: &serde_json::Value, wanted: &[String]| {
            let present = stored_strings(column);
            wanted.iter().all(|w| present.contains(w))
        };
        if !has(&space.equipment, &equipment) || !has(&space.accessibility, &accessibility) {
            continue;
        }
        if let Some((from, to)) = free {
            if space.status != SpaceStatus::Open.as_str() {
                continue;
            }
            let zone = parse_zone(&space.time_zone).unwrap_or(state.settings.time_zone);
            let plan = opening::plan(state.db.conn(), &space, zone, from, to).await?;
            if !plan.covers(zone, from, to) {
                continue;
            }
            if !find_conflicts(state.db.conn(), &tree, &space, &[(from, to)])
                .await?
                .is_empty()
            {
                continue;
            }
        }
        rows.push(space);
        if rows.len() as u64 > limit {
            break;
        }
    }
    Ok(axum::Json(page::page(
        rows,
        limit,
        |s| (s.name.clone(), s.id),
        SpaceView::from,
    )))
}

pub(super) async fn find_space(state: &AppState, id: Uuid) -> Result<spaces::Model, ApiError> {
    spaces::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(ApiError::NotFound("space"))
}

/// One space.
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id")),
    responses((status = 200, body = SpaceView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SpaceView>, ApiError> {
    Ok(axum::Json(find_space(&state, id).await?.into()))
}

/// Changes a space. New buffers or a new parent apply to its live bookings too (their holds are
/// written again); refused with 409 when that would make live bookings overlap or meet a closure.
#[utoipa::path(
    patch,
    path = "/api/v1/spaces/{id}",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    request_body = SpacePatch,
    responses(
        (status = 200, body = SpaceView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Live bookings would overlap", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(patch): Json<SpacePatch>,
) -> Result<axum::Json<SpaceView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let space = find_space(&state, id).await?;
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
        active.accessibility = Set(serde_json::json!(check_tags(&mut v, "accessibility", tags)));
    }
    if let Some(tags) = &patch.equipment {
        active.equipment = Set(serde_json::json!(check_tags(&mut v, "equipment", tags)));
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
    let moves = patch.parent_id.is_some_and(|p| p != space.parent_id);
    let rebuffers = patch
        .setup_minutes
        .is_some_and(|m| m != i64::from(space.setup_minutes))
        || patch
            .teardown_minutes
            .is_some_and(|m| m != i64::from(space.teardown_minutes));
    let txn = state.db.begin().await?;
    let mut concerned = Vec::new();
    if moves || rebuffers {
        tree_lock::exclusive(&*txn).await?;
        let before = SpaceTree::load(&*txn).await?;
        let after = match patch.parent_id {
            Some(parent) if moves => {
                if let Some(parent) = parent {
                    if spaces::Entity::find_by_id(parent)
                        .one(&*txn)
                        .await?
                        .is_none()
                    {
                        return Err(ApiError::field("parent_id", "no space has this id"));
                    }
                    if before.descendants(id).contains(&parent) {
                        return Err(ApiError::field(
                            "parent_id",
                            "a space cannot move inside a space it contains",
                        ));
                    }
                }
                before.moved(id, parent)
            }
            _ => before.clone(),
        };
        concerned = rehold::concerned(&*txn, &before, &after, id).await?;
    }
    let updated = spaces::Entity::update(active).exec(&*txn).await?;
    let clashes = rehold::rewrite(&*txn, &concerned).await?;
    if !clashes.is_empty() {
        // Dropping the transaction undoes the change.
        let field = match (moves, patch.setup_minutes.is_some()) {
            (true, _) => "parent_id",
            (false, true) => "setup_minutes",
            (false, false) => "teardown_minutes",
        };
        return Err(refused(field, clashes));
    }
    state
        .outbox
        .add(
            &*txn,
            &SpaceUpdated {
                version: 1,
                space: info(&updated),
            },
            None,
        )
        .await?;
    let (before, after) = (SpaceView::from(space), SpaceView::from(updated.clone()));
    audit::record(
        &*txn,
        &caller.0,
        "space.update",
        id,
        audit::json(&before),
        audit::json(&after),
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(space_id = %id, actor = %caller.0.sub, "space updated");
    Ok(axum::Json(updated.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// RFC 3339 instant or `YYYY-MM-DD`.
    pub from: String,
    /// RFC 3339 instant or `YYYY-MM-DD` (that whole day included).
    pub to: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FreeSlot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Availability {
    pub space_id: Uuid,
    pub free: Vec<FreeSlot>,
}

/// Longest range one availability request may cover.
const MAX_AVAILABILITY_DAYS: i64 = 400;

/// When a space is free: opening hours minus closures minus held slots (with buffers).
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}/availability",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id"), RangeQuery),
    responses((status = 200, body = Availability), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn availability(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(range): Query<RangeQuery>,
) -> Result<axum::Json<Availability>, ApiError> {
    let space = find_space(&state, id).await?;
    let zone = parse_zone(&space.time_zone).unwrap_or(state.settings.time_zone);
    let mut v = Violations::new();
    let from = v.take("from", parse_bound(&range.from, zone, Bound::Start));
    let to = v.take("to", parse_bound(&range.to, zone, Bound::End));
    if let (Some(f), Some(t)) = (from, to) {
        v.check(t > f, "to", "must be after from");
        v.check(
            t - f <= Duration::days(MAX_AVAILABILITY_DAYS),
            "to",
            format!("the range may cover at most {MAX_AVAILABILITY_DAYS} days"),
        );
    }
    v.finish()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::field("from", "is required"));
    };
    let free = free_slots(&state, &space, zone, from, to).await?;
    Ok(axum::Json(Availability {
        space_id: id,
        free: free
            .into_iter()
            .map(|(s, e)| FreeSlot {
                starts_at: s,
                ends_at: e,
            })
            .collect(),
    }))
}

/// Free intervals of `space` within `[from, to)`.
pub async fn free_slots(
    state: &AppState,
    space: &spaces::Model,
    zone: chrono_tz::Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Interval>, ApiError> {
    if space.status != SpaceStatus::Open.as_str() {
        return Ok(Vec::new());
    }
    // Two independent reads on two pooled connections: the request waits for one round trip.
    let (plan, busy) = tokio::try_join!(
        opening::plan(state.db.conn(), space, zone, from, to),
        busy::busy(state.db.conn(), space.id, from, to),
    )?;
    let windows = plan.open_between(zone, from, to);
    // A new booking needs its own buffers around it too, so a free slot shrinks by them: what is
    // listed here can be booked as it is.
    let setup = Duration::minutes(i64::from(space.setup_minutes));
    let teardown = Duration::minutes(i64::from(space.teardown_minutes));
    let busy: Vec<Interval> = busy
        .into_iter()
        .map(|(s, e)| (s - teardown, e + setup))
        .collect();
    Ok(subtract(windows, busy))
}
