//! Making an event: an administrator's draft or an operator's proposal, with its occurrences
//! planned from the first one and the rule, stored and (with a space) asked of booking. The API's
//! `POST /api/v1/events` and the pages `/propose` and `/admin/events/new` all come here.

use super::store_new;
use crate::{
    db::{
        events,
        occurrences::{self, new_occurrence},
        spaces,
    },
    domain::{EventStatus, FundingLine, SpaceStatus, TextRule, check_text},
    error::SchedulerError,
    ops::input,
    schedule::timing,
    state::AppState,
    views::EventView,
};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::Category,
    http::{ApiError, Violations},
    time::{parse_instant, parse_zone},
};
use sea_orm::EntityTrait;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    #[serde(default)]
    pub season_id: Option<Uuid>,
    /// A festival, workshop or pathway of the season this event belongs to.
    #[serde(default)]
    pub programme_id: Option<Uuid>,
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub title: String,
    /// Italian description.
    #[serde(default)]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description: String,
    /// English description.
    #[serde(default)]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub description_en: String,
    #[schema(min_items = 1)]
    pub categories: Vec<Category>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 120)]
    pub age_min: Option<i64>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 120)]
    pub age_max: Option<i64>,
    /// RFC 3339 with offset: the first occurrence.
    #[schema(format = DateTime)]
    pub starts_at: String,
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// IANA zone the event's local times are in; defaults to the configured one.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub space_id: Option<Uuid>,
    /// RFC 5545 RRULE, e.g. `FREQ=WEEKLY;BYDAY=TU;COUNT=8`. In a season, a rule without COUNT or
    /// UNTIL runs to the season's last day.
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Days (`YYYY-MM-DD`) or local times (`YYYY-MM-DDTHH:MM`) the rule skips (RFC 5545 EXDATE).
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub exdates: Vec<String>,
    /// Places; none means no limit.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i64>,
    /// Whether people may queue when it is full. Default true.
    #[serde(default)]
    pub waitlist: Option<bool>,
    /// Minutes before the start that registrations close; default `scheduler.registration_closes_minutes`.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 86400)]
    pub registration_closes_minutes: Option<i64>,
    #[serde(default)]
    #[schema(
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub accessibility_notes: String,
    /// Euro cents; 0 or absent means free.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub price_cents: i64,
    /// The organising operator; an operator's proposal is always its own organisation's.
    #[serde(default)]
    pub organiser: Option<String>,
    #[serde(default)]
    pub funding_line: Option<FundingLine>,
}

/// Creates an event (administrators) or proposes one (operators).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewEvent,
) -> Result<EventView, SchedulerError> {
    let claims = caller.require(&[Role::Admin, Role::Operator])?.clone();
    let conn = state.db.conn();
    let mut v = Violations::new();
    let title = input::check_title(&mut v, &body.title);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let description_en = check_text(
        &mut v,
        "description_en",
        &body.description_en,
        TextRule::LONG,
    );
    let accessibility_notes = check_text(
        &mut v,
        "accessibility_notes",
        &body.accessibility_notes,
        TextRule::NOTE,
    );
    let categories = input::check_categories(&mut v, &body.categories);
    input::check_ages(&mut v, body.age_min, body.age_max);
    let capacity = input::check_capacity(&mut v, "capacity", body.capacity);
    let price_cents = input::check_price(&mut v, body.price_cents);
    let closes = input::check_closes(&mut v, body.registration_closes_minutes);
    let organiser = match (&claims.role, &body.organiser) {
        (Role::Admin, Some(name)) => Some(check_text(&mut v, "organiser", name, TextRule::NAME)),
        _ => claims.org_name.clone(),
    };
    let zone = match &body.time_zone {
        Some(name) => v.take("time_zone", parse_zone(name)),
        None => Some(state.settings.time_zone),
    };
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    let exclusions = input::check_exdates(
        &mut v,
        &body.exdates,
        zone.unwrap_or(state.settings.time_zone),
    );
    if let Some(rule) = &body.recurrence {
        v.check(
            rule.len() <= 500,
            "recurrence",
            "must be at most 500 characters",
        );
    }
    let programme = input::programme(conn, &mut v, body.programme_id, body.season_id).await?;
    let season_id = body.season_id.or(programme.as_ref().map(|p| p.season_id));
    let season = input::season(conn, &mut v, season_id).await?;
    let mut planned = Vec::new();
    if let (Some(starts_at), Some(ends_at), Some(zone)) = (starts_at, ends_at, zone) {
        planned = timing::plan(
            &mut v,
            &timing::Timing {
                starts_at,
                ends_at,
                zone,
                rule: body.recurrence.as_deref(),
                exclusions: &exclusions,
                season: season.as_ref(),
                max: state.settings.scheduler.max_occurrences,
            },
        );
    }
    v.finish()?;
    let Some(first) = planned.first().copied() else {
        return Err(ApiError::field("starts_at", "is required").into());
    };
    let zone = zone.unwrap_or(state.settings.time_zone);
    let now = piazza_shared::clock::now();
    let id = Uuid::now_v7();
    let status = if claims.role == Role::Admin {
        EventStatus::Draft
    } else {
        EventStatus::Proposed
    };
    let mut event = events::Model {
        id,
        season_id,
        title,
        description,
        description_en,
        categories,
        age_min: body.age_min.and_then(|a| i32::try_from(a).ok()),
        age_max: body.age_max.and_then(|a| i32::try_from(a).ok()),
        capacity,
        time_zone: zone.name().to_string(),
        starts_at: first.starts_at,
        ends_at: first.ends_at,
        recurrence: body.recurrence.as_ref().map(|r| r.trim().to_string()),
        space_id: body.space_id,
        space_status: SpaceStatus::None.as_str().into(),
        space_reason: None,
        status: status.as_str().into(),
        cancel_reason: None,
        organisation_id: claims.org,
        organisation_name: organiser,
        contact_email: Some(claims.email.clone()),
        created_by: claims.sub,
        slot_correlation: None,
        slot_requested_at: None,
        sequence: 0,
        published_at: None,
        created_at: now,
        updated_at: now,
        accessibility_notes,
        price_cents,
        funding_line: body.funding_line.map(|f| f.as_str().to_string()),
        programme_id: body.programme_id,
        waitlist: body.waitlist.unwrap_or(true),
        registration_closes_minutes: closes,
        exdates: input::exdates_json(&exclusions),
        source_feed_id: None,
        source_uid: None,
        location: None,
    };
    let rows: Vec<occurrences::Model> = planned
        .iter()
        .map(|i| new_occurrence(id, i.starts_at, i.ends_at, now))
        .collect();
    let txn = state.begin().await?;
    store_new(&txn, &mut event, &rows, now).await?;
    txn.commit().await?;
    tracing::info!(event_id = %id, occurrences = rows.len(), actor = %claims.sub, "event created");
    let space = match body.space_id {
        Some(s) => spaces::Entity::find_by_id(s).one(conn).await?,
        None => None,
    };
    Ok(EventView::new(event, rows, space.as_ref()))
}
