//! `/api/v1/events`: administrators create and publish events, operators propose them, anyone
//! reads the published calendar. An event with a space gets its slot from booking over the bus.

use super::views::{EventView, OccurrenceItem, summary};
use crate::{
    db::{events, occurrences, seasons, spaces},
    domain::{EventStatus, SpaceStatus},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::{
        Category,
        event::{EventCancelled, EventPublished},
        scheduling::{Slot, SlotReleased, SlotRequested},
    },
    http::{ApiError, Json, Path, Problem, Query, Violations, page},
    recurrence,
    time::{Bound, parse_bound, parse_instant, parse_zone},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most occurrences one event may have when no setting says otherwise.
const MAX_OCCURRENCES: u32 = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    #[serde(default)]
    pub season_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub categories: Vec<Category>,
    #[serde(default)]
    pub age_min: Option<i64>,
    #[serde(default)]
    pub age_max: Option<i64>,
    /// RFC 3339 with offset: the first occurrence.
    pub starts_at: String,
    pub ends_at: String,
    /// IANA zone the event's local times are in; defaults to the configured one.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub space_id: Option<Uuid>,
    /// RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=TU;COUNT=8`.
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub capacity: Option<i64>,
}

async fn load(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<
    (
        events::Model,
        Vec<occurrences::Model>,
        Option<spaces::Model>,
    ),
    ApiError,
> {
    let event = events::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    let list = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.eq(id))
        .order_by_asc(occurrences::Column::StartsAt)
        .all(conn)
        .await?;
    let space = match event.space_id {
        Some(space) => spaces::Entity::find_by_id(space).one(conn).await?,
        None => None,
    };
    Ok((event, list, space))
}

/// Creates an event (administrators) or proposes one (operators).
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    security(("bearer" = [])),
    request_body = NewEvent,
    responses(
        (status = 201, description = "Created; with a space, `space_status` is `pending` until booking answers", body = EventView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, description = "Unknown season", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewEvent>,
) -> Result<(StatusCode, axum::Json<EventView>), ApiError> {
    let claims = caller.require(&[Role::Admin, Role::Operator])?.clone();
    let mut v = Violations::new();
    v.check(!body.title.trim().is_empty(), "title", "must not be empty");
    v.check(
        body.title.chars().count() <= 200,
        "title",
        "must be at most 200 characters",
    );
    v.check(
        body.description.chars().count() <= 10_000,
        "description",
        "must be at most 10000 characters",
    );
    v.check(
        !body.categories.is_empty(),
        "categories",
        "give at least one category",
    );
    for (field, age) in [("age_min", body.age_min), ("age_max", body.age_max)] {
        if let Some(age) = age {
            v.check((0..=120).contains(&age), field, "must be between 0 and 120");
        }
    }
    if let (Some(min), Some(max)) = (body.age_min, body.age_max) {
        v.check(min <= max, "age_min", "must not be greater than age_max");
    }
    if let Some(capacity) = body.capacity {
        v.check(
            (1..=100_000).contains(&capacity),
            "capacity",
            "must be between 1 and 100000",
        );
    }
    let zone = match &body.time_zone {
        Some(name) => v.take("time_zone", parse_zone(name)),
        None => Some(state.settings.time_zone),
    };
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    let season = match body.season_id {
        Some(id) => Some(
            seasons::Entity::find_by_id(id)
                .one(state.db.conn())
                .await?
                .ok_or(ApiError::NotFound("season"))?,
        ),
        None => None,
    };
    let mut slots = Vec::new();
    if let (Some(s), Some(e), Some(zone)) = (starts_at, ends_at, zone) {
        v.check(e > s, "ends_at", "must be after starts_at");
        v.check(
            e <= s || e - s <= chrono::Duration::days(31),
            "ends_at",
            "one occurrence lasts at most 31 days",
        );
        if e > s {
            match &body.recurrence {
                None => slots.push((s, e)),
                Some(rule) => match recurrence::expand(rule, s, e, zone, MAX_OCCURRENCES) {
                    Ok(list) => slots = list,
                    Err(error) => v.add("recurrence", error.to_string()),
                },
            }
        }
        if let Some(season) = &season {
            let local = |t: DateTime<Utc>| t.with_timezone(&zone).date_naive();
            let outside = slots
                .iter()
                .any(|&(s, _)| local(s) < season.starts_on || local(s) > season.ends_on);
            v.check(
                !outside,
                "starts_at",
                format!(
                    "occurrences must fall within the season ({} to {})",
                    season.starts_on, season.ends_on
                ),
            );
        }
    }
    v.finish()?;
    let zone = zone.unwrap_or(state.settings.time_zone);
    let now = Utc::now();
    let id = Uuid::now_v7();
    let correlation = body.space_id.map(|_| Uuid::now_v7().to_string());
    let status = if claims.role == Role::Admin {
        EventStatus::Draft
    } else {
        EventStatus::Proposed
    };
    let (first_start, first_end) = slots[0];
    let event = events::Model {
        id,
        season_id: body.season_id,
        title: body.title.trim().to_string(),
        description: body.description.trim().to_string(),
        categories: serde_json::to_value(&body.categories).unwrap_or_default(),
        age_min: body.age_min.and_then(|a| i32::try_from(a).ok()),
        age_max: body.age_max.and_then(|a| i32::try_from(a).ok()),
        capacity: body.capacity.and_then(|c| i32::try_from(c).ok()),
        time_zone: zone.name().to_string(),
        starts_at: first_start,
        ends_at: first_end,
        recurrence: body.recurrence.clone(),
        space_id: body.space_id,
        space_status: if body.space_id.is_some() {
            SpaceStatus::Pending
        } else {
            SpaceStatus::None
        }
        .as_str()
        .into(),
        space_reason: None,
        status: status.as_str().into(),
        organisation_id: claims.org,
        organisation_name: claims.org_name.clone(),
        contact_email: Some(claims.email.clone()),
        created_by: claims.sub,
        slot_correlation: correlation.clone(),
        slot_requested_at: body.space_id.map(|_| now),
        sequence: 0,
        published_at: None,
        created_at: now,
        updated_at: now,
    };
    let rows: Vec<occurrences::Model> = slots
        .iter()
        .map(|&(s, e)| occurrences::Model {
            id: Uuid::now_v7(),
            event_id: id,
            starts_at: s,
            ends_at: e,
            status: "scheduled".into(),
        })
        .collect();
    let txn = state.db.begin().await?;
    events::Entity::insert(events::ActiveModel::from(event.clone()))
        .exec_without_returning(&*txn)
        .await?;
    occurrences::Entity::insert_many(rows.iter().cloned().map(occurrences::ActiveModel::from))
        .exec_without_returning(&*txn)
        .await?;
    if let Some(space_id) = body.space_id {
        let request = SlotRequested {
            version: 1,
            event_id: id,
            space_id,
            title: event.title.clone(),
            slots: slots
                .iter()
                .map(|&(s, e)| Slot {
                    starts_at: s,
                    ends_at: e,
                })
                .collect(),
            approve: claims.role == Role::Admin,
            organisation: claims.org_name.clone(),
            contact_email: Some(claims.email.clone()),
            attendees: event.capacity.and_then(|c| u32::try_from(c).ok()),
        };
        state.outbox.add(&*txn, &request, correlation).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, occurrences = rows.len(), actor = %claims.sub, "event created");
    let space = match body.space_id {
        Some(s) => spaces::Entity::find_by_id(s).one(state.db.conn()).await?,
        None => None,
    };
    Ok((
        StatusCode::CREATED,
        axum::Json(EventView::new(event, rows, space.as_ref())),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarFilter {
    /// RFC 3339 instant or `YYYY-MM-DD`; default now.
    pub from: Option<String>,
    /// RFC 3339 instant or `YYYY-MM-DD` (that whole day included).
    pub to: Option<String>,
    pub category: Option<Category>,
    /// Only events open to this age.
    pub age: Option<u8>,
    pub space_id: Option<Uuid>,
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// The public calendar: occurrences of published events, in time order.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(CalendarFilter),
    responses((status = 200, body = piazza_shared::http::Page<OccurrenceItem>), (status = 422, body = Problem))
)]
pub async fn list(
    State(state): State<AppState>,
    Query(filter): Query<CalendarFilter>,
) -> Result<axum::Json<page::Page<OccurrenceItem>>, ApiError> {
    let limit = page::limit(filter.limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = page::decode_cursor(filter.cursor.as_deref())?;
    let zone = state.settings.time_zone;
    let mut v = Violations::new();
    let from = match &filter.from {
        Some(f) => v.take("from", parse_bound(f, zone, Bound::Start)),
        None => Some(Utc::now()),
    };
    let to = filter
        .to
        .as_deref()
        .and_then(|t| v.take("to", parse_bound(t, zone, Bound::End)));
    v.finish()?;
    let mut events_query =
        events::Entity::find().filter(events::Column::Status.eq(EventStatus::Published.as_str()));
    if let Some(space) = filter.space_id {
        events_query = events_query.filter(events::Column::SpaceId.eq(space));
    }
    if let Some(age) = filter.age {
        let age = i32::from(age);
        events_query = events_query
            .filter(
                Condition::any()
                    .add(events::Column::AgeMin.is_null())
                    .add(events::Column::AgeMin.lte(age)),
            )
            .filter(
                Condition::any()
                    .add(events::Column::AgeMax.is_null())
                    .add(events::Column::AgeMax.gte(age)),
            );
    }
    let published: HashMap<Uuid, events::Model> = events_query
        .all(state.db.conn())
        .await?
        .into_iter()
        .filter(|e| {
            filter
                .category
                .is_none_or(|c| super::views::categories_of(&e.categories).contains(&c))
        })
        .map(|e| (e.id, e))
        .collect();
    if published.is_empty() {
        return Ok(axum::Json(page::Page {
            items: vec![],
            next_cursor: None,
        }));
    }
    let mut query = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.is_in(published.keys().copied()));
    if let Some(from) = from {
        query = query.filter(occurrences::Column::EndsAt.gt(from));
    }
    if let Some(to) = to {
        query = query.filter(occurrences::Column::StartsAt.lt(to));
    }
    if let Some((at, id)) = after {
        query = query.filter(
            Condition::any()
                .add(occurrences::Column::StartsAt.gt(at))
                .add(
                    occurrences::Column::StartsAt
                        .eq(at)
                        .and(occurrences::Column::Id.gt(id)),
                ),
        );
    }
    let rows = query
        .order_by_asc(occurrences::Column::StartsAt)
        .order_by_asc(occurrences::Column::Id)
        .limit(limit + 1)
        .all(state.db.conn())
        .await?;
    let space_ids: Vec<Uuid> = published.values().filter_map(|e| e.space_id).collect();
    let places: HashMap<Uuid, spaces::Model> = spaces::Entity::find()
        .filter(spaces::Column::Id.is_in(space_ids))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(axum::Json(page::page(
        rows,
        limit,
        |o| (o.starts_at, o.id),
        |o| {
            let event = &published[&o.event_id];
            let place = event.space_id.and_then(|s| places.get(&s));
            OccurrenceItem::new(event, &o, place)
        },
    )))
}

/// One event: public once published; before that, only administrators and its organisation.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    tag = "events",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EventView>, ApiError> {
    let (event, list, space) = load(state.db.conn(), id).await?;
    let public = event.published_at.is_some();
    let visible = public
        || caller.as_ref().is_some_and(|c| {
            c.is_admin() || (c.0.org.is_some() && c.0.org == event.organisation_id)
        });
    if !visible {
        // Unpublished events do not exist for the public.
        return Err(ApiError::NotFound("event"));
    }
    Ok(axum::Json(EventView::new(event, list, space.as_ref())))
}

/// Publishes an event; its space, if any, must be confirmed.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/publish",
    tag = "events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Space not confirmed, or not publishable", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EventView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let txn = state.db.begin().await?;
    let (mut event, list, space) = load(&*txn, id).await?;
    let status = EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft);
    if !matches!(status, EventStatus::Draft | EventStatus::Proposed) {
        return Err(ApiError::conflict(
            format!("an event that is {} cannot be published", status.as_str()),
            vec![],
        ));
    }
    if event.space_id.is_some() && event.space_status != SpaceStatus::Confirmed.as_str() {
        return Err(ApiError::conflict(
            format!("the space is {}, not confirmed", event.space_status),
            vec![
                serde_json::json!({ "space_id": event.space_id, "space_status": event.space_status, "reason": event.space_reason }),
            ],
        ));
    }
    let now = Utc::now();
    event.status = EventStatus::Published.as_str().into();
    event.sequence += 1;
    event.updated_at = now;
    event.published_at = Some(now);
    events::Entity::update_many()
        .col_expr(events::Column::Status, Expr::value(event.status.clone()))
        .col_expr(events::Column::PublishedAt, Expr::value(now))
        .col_expr(events::Column::Sequence, Expr::value(event.sequence))
        .col_expr(events::Column::UpdatedAt, Expr::value(now))
        .filter(events::Column::Id.eq(id))
        .exec(&*txn)
        .await?;
    let message = EventPublished {
        version: 1,
        event: summary(&event, &list, space.as_ref()),
    };
    state
        .outbox
        .add(&*txn, &message, Some(id.to_string()))
        .await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event published");
    Ok(axum::Json(EventView::new(event, list, space.as_ref())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelEvent {
    pub reason: String,
}

/// Cancels an event and every occurrence, and lets its space go.
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/cancel",
    tag = "events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = CancelEvent,
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<CancelEvent>,
) -> Result<axum::Json<EventView>, ApiError> {
    caller.require(&[Role::Admin])?;
    let reason = body.reason.trim().to_string();
    let mut v = Violations::new();
    v.check(
        !reason.is_empty(),
        "reason",
        "say why the event is cancelled",
    );
    v.check(
        reason.chars().count() <= 1000,
        "reason",
        "must be at most 1000 characters",
    );
    v.finish()?;
    let txn = state.db.begin().await?;
    let (mut event, mut list, space) = load(&*txn, id).await?;
    let status = EventStatus::parse(&event.status).unwrap_or(EventStatus::Draft);
    if matches!(status, EventStatus::Cancelled | EventStatus::Completed) {
        return Err(ApiError::conflict(
            format!("the event is already {}", status.as_str()),
            vec![],
        ));
    }
    let was_public = status == EventStatus::Published;
    let now = Utc::now();
    event.status = EventStatus::Cancelled.as_str().into();
    event.sequence += 1;
    event.updated_at = now;
    event.space_reason = Some(reason.clone());
    events::Entity::update_many()
        .col_expr(events::Column::Status, Expr::value(event.status.clone()))
        .col_expr(events::Column::Sequence, Expr::value(event.sequence))
        .col_expr(events::Column::UpdatedAt, Expr::value(now))
        .filter(events::Column::Id.eq(id))
        .exec(&*txn)
        .await?;
    // The summary keeps the occurrences that were scheduled, so the notifier can name them.
    let announced = summary(&event, &list, space.as_ref());
    occurrences::Entity::update_many()
        .col_expr(occurrences::Column::Status, Expr::value("cancelled"))
        .filter(occurrences::Column::EventId.eq(id))
        .exec(&*txn)
        .await?;
    for occurrence in &mut list {
        occurrence.status = "cancelled".into();
    }
    if event.space_id.is_some() {
        let release = SlotReleased {
            version: 1,
            event_id: id,
            reason: format!("event cancelled: {reason}"),
        };
        state
            .outbox
            .add(&*txn, &release, event.slot_correlation.clone())
            .await?;
    }
    if was_public {
        let message = EventCancelled {
            version: 1,
            event: announced,
            reason,
            occurrence_ids: Vec::new(),
        };
        state
            .outbox
            .add(&*txn, &message, Some(id.to_string()))
            .await?;
    }
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event cancelled");
    Ok(axum::Json(EventView::new(event, list, space.as_ref())))
}
