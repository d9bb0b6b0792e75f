//! Proposals to calls for ideas: operators send one with a preferred weekly slot and space
//! while the call is open (a closed or not yet open call answers 422 on `call_id`);
//! administrators accept it — a draft weekly event at the preferred slot, which asks booking for
//! its space — or decline it with a reason. Every step is a message.
//!
//! Over 400 lines as one aggregate: its input and view types, the checks of a submission and the
//! planning of an acceptance belong together; the shared event steps are in `ops::events`.

use crate::{
    db::{events, occurrences::new_occurrence, proposals, seasons},
    domain::{EventStatus, ProposalStatus, SpaceStatus, TextRule, Weekday, check_text},
    error::SchedulerError,
    ops::events::store_new,
    ops::{calls::find as find_call, input},
    schedule::{announce::categories_of, timing},
    state::AppState,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::{
        Category,
        call::{ProposalAccepted, ProposalDeclined, ProposalSubmitted, ProposalSummary},
    },
    http::{ApiError, Violations},
    time::local_to_utc,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// The weekly slot a proposal would like.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklySlot {
    pub weekday: Weekday,
    /// Local `HH:MM`.
    pub starts: String,
    pub ends: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub categories: Vec<Category>,
    #[serde(default)]
    pub age_min: Option<i64>,
    #[serde(default)]
    pub age_max: Option<i64>,
    #[serde(default)]
    pub capacity: Option<i64>,
    pub preferred_slot: WeeklySlot,
    /// How many weekly sessions; none means every week to the end of the season.
    #[serde(default)]
    pub sessions: Option<i64>,
    /// The space it would like.
    #[serde(default)]
    pub space_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalView {
    pub id: Uuid,
    pub call_id: Uuid,
    pub organisation: Option<String>,
    pub contact_email: String,
    pub title: String,
    pub description: String,
    pub categories: Vec<Category>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub capacity: Option<u32>,
    pub preferred_slot: WeeklySlot,
    pub sessions: Option<u32>,
    pub space_id: Option<Uuid>,
    pub status: ProposalStatus,
    /// Why it was declined.
    pub decision_reason: Option<String>,
    /// The draft events its acceptance made.
    pub event_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The idea it was made from, sent by a person without an account (`/api/v1/ideas`).
    #[serde(default)]
    pub idea_id: Option<Uuid>,
}

pub(crate) fn proposal_view(m: proposals::Model) -> ProposalView {
    ProposalView {
        id: m.id,
        call_id: m.call_id,
        categories: categories_of(&m.categories),
        age_min: m.age_min.and_then(|a| u8::try_from(a).ok()),
        age_max: m.age_max.and_then(|a| u8::try_from(a).ok()),
        capacity: m.capacity.and_then(|c| u32::try_from(c).ok()),
        preferred_slot: WeeklySlot {
            weekday: Weekday::parse(&m.weekday).unwrap_or(Weekday::Mon),
            starts: m.starts_time,
            ends: m.ends_time,
        },
        sessions: m.sessions.and_then(|s| u32::try_from(s).ok()),
        space_id: m.space_id,
        status: ProposalStatus::parse(&m.status).unwrap_or(ProposalStatus::Submitted),
        decision_reason: m.decision_reason,
        event_ids: serde_json::from_value(m.event_ids).unwrap_or_default(),
        organisation: m.organisation_name,
        contact_email: m.contact_email,
        title: m.title,
        description: m.description,
        created_at: m.created_at,
        decided_at: m.decided_at,
        idea_id: m.idea_id,
    }
}

pub(crate) fn summary(m: &proposals::Model) -> ProposalSummary {
    ProposalSummary {
        proposal_id: m.id,
        call_id: m.call_id,
        title: m.title.clone(),
        organisation: m.organisation_name.clone(),
        contact_email: m.contact_email.clone(),
    }
}

fn local_time(value: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(value, "%H:%M").map_err(|_| format!("`{value}` is not a time HH:MM"))
}

/// Sends a proposal to an open call (operators, for their organisation).
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: NewProposal,
) -> Result<ProposalView, SchedulerError> {
    let claims = caller.require(&[Role::Operator, Role::Admin])?;
    let call = find_call(state.db.conn(), id).await?;
    let now = piazza_shared::clock::now();
    let mut v = Violations::new();
    if now < call.opens_at {
        v.add(
            "call_id",
            format!("the call opens at {}", call.opens_at.to_rfc3339()),
        );
    } else if now >= call.closes_at {
        v.add(
            "call_id",
            format!("the call closed at {}", call.closes_at.to_rfc3339()),
        );
    }
    let title = input::check_title(&mut v, &body.title);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let categories = input::check_categories(&mut v, &body.categories);
    input::check_ages(&mut v, body.age_min, body.age_max);
    let capacity = input::check_capacity(&mut v, "capacity", body.capacity);
    let starts = v.take(
        "preferred_slot.starts",
        local_time(&body.preferred_slot.starts),
    );
    let ends = v.take("preferred_slot.ends", local_time(&body.preferred_slot.ends));
    if let (Some(s), Some(e)) = (starts, ends) {
        v.check(e > s, "preferred_slot.ends", "must be after starts");
    }
    if let Some(n) = body.sessions {
        v.check(
            (1..=200).contains(&n),
            "sessions",
            "must be between 1 and 200",
        );
    }
    v.finish()?;
    let (Some(starts), Some(ends)) = (starts, ends) else {
        return Err(ApiError::field("preferred_slot", "is required").into());
    };
    let model = proposals::Model {
        id: Uuid::now_v7(),
        call_id: id,
        organisation_id: claims.org,
        organisation_name: claims.org_name.clone(),
        contact_email: claims.email.clone(),
        submitted_by: claims.sub,
        title,
        description,
        categories,
        age_min: body.age_min.and_then(|a| i32::try_from(a).ok()),
        age_max: body.age_max.and_then(|a| i32::try_from(a).ok()),
        capacity,
        weekday: body.preferred_slot.weekday.as_str().into(),
        starts_time: starts.format("%H:%M").to_string(),
        ends_time: ends.format("%H:%M").to_string(),
        sessions: body.sessions.and_then(|s| i32::try_from(s).ok()),
        space_id: body.space_id,
        status: ProposalStatus::Submitted.as_str().into(),
        decision_reason: None,
        event_ids: serde_json::json!([]),
        created_at: now,
        decided_at: None,
        idea_id: None,
    };
    let unit = state.begin().await?;
    proposals::Entity::insert(proposals::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let message = ProposalSubmitted {
        version: 1,
        proposal: summary(&model),
    };
    unit.publish(&message, Some(model.id.to_string())).await?;
    unit.commit().await?;
    tracing::info!(proposal_id = %model.id, call_id = %id, actor = %claims.sub, "proposal submitted");
    Ok(proposal_view(model))
}

/// The proposals sent to a call: all for administrators, their own for operators.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<ProposalView>, SchedulerError> {
    let claims = caller.require(&[Role::Admin, Role::Operator])?;
    find_call(state.db.conn(), id).await?;
    let mut query = proposals::Entity::find()
        .filter(proposals::Column::CallId.eq(id))
        .order_by_asc(proposals::Column::CreatedAt);
    if claims.role != Role::Admin {
        query = match claims.org {
            Some(org) => query.filter(proposals::Column::OrganisationId.eq(org)),
            None => query.filter(proposals::Column::SubmittedBy.eq(claims.sub)),
        };
    }
    let rows = query.all(state.db.conn()).await?;
    Ok(rows.into_iter().map(proposal_view).collect())
}

async fn find_proposal(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<proposals::Model, ApiError> {
    proposals::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("proposal"))
}

/// One proposal: administrators and its organisation.
pub async fn get(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<ProposalView, SchedulerError> {
    let proposal = find_proposal(state.db.conn(), id).await?;
    if !(caller.is_admin() || proposal.submitted_by == caller.0.sub) {
        caller.require_owner(proposal.organisation_id)?;
    }
    Ok(proposal_view(proposal))
}

fn refuse_decided(proposal: &proposals::Model) -> Result<(), SchedulerError> {
    match ProposalStatus::parse(&proposal.status) {
        Some(ProposalStatus::Submitted) => Ok(()),
        decided => Err(SchedulerError::ProposalDecided(
            decided.unwrap_or(ProposalStatus::Declined),
        )),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The day of the first session (on the preferred weekday); default the first such day of
    /// the season still to come.
    #[serde(default)]
    pub starts_on: Option<String>,
    /// Another space than the one proposed.
    #[serde(default)]
    pub space_id: Option<Uuid>,
}

/// The first day on or after `from` that is `weekday`.
fn first_weekday(from: NaiveDate, weekday: chrono::Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(i64::from(ahead))
}

/// Accepts a proposal: a draft weekly event at its preferred slot (for its sessions, or to the
/// season's end) is made in the season, and asks booking for its space.
pub async fn accept(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: Acceptance,
) -> Result<ProposalView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let mut proposal = find_proposal(&*unit, id).await?;
    refuse_decided(&proposal)?;
    let call = find_call(&*unit, proposal.call_id).await?;
    let season = seasons::Entity::find_by_id(call.season_id)
        .one(&*unit)
        .await?
        .ok_or(ApiError::NotFound("season"))?;
    let zone = state.settings.time_zone;
    let now = piazza_shared::clock::now();
    let weekday = Weekday::parse(&proposal.weekday).unwrap_or(Weekday::Mon);
    let mut v = Violations::new();
    let tomorrow = (now + Duration::days(1)).with_timezone(&zone).date_naive();
    let first_day = match &body.starts_on {
        Some(text) => v.take(
            "starts_on",
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("`{text}` is not a date YYYY-MM-DD")),
        ),
        None => Some(first_weekday(
            season.starts_on.max(tomorrow),
            weekday.to_chrono(),
        )),
    };
    if let Some(day) = first_day {
        v.check(
            day.weekday() == weekday.to_chrono(),
            "starts_on",
            format!("must be a {} (the proposal's weekday)", weekday.as_str()),
        );
    }
    let starts = local_time(&proposal.starts_time).unwrap_or(NaiveTime::MIN);
    let ends = local_time(&proposal.ends_time).unwrap_or(NaiveTime::MIN);
    let rule = match proposal.sessions {
        Some(n) => format!("FREQ=WEEKLY;BYDAY={};COUNT={n}", weekday.byday()),
        None => format!("FREQ=WEEKLY;BYDAY={}", weekday.byday()),
    };
    let mut planned = Vec::new();
    if let Some(day) = first_day {
        let starts_at = local_to_utc(day.and_time(starts), zone);
        let ends_at = local_to_utc(day.and_time(ends), zone);
        planned = timing::plan(
            &mut v,
            &timing::Timing {
                starts_at,
                ends_at,
                zone,
                rule: Some(&rule),
                exclusions: &[],
                season: Some(&season),
                max: state.settings.scheduler.max_occurrences,
            },
        );
    }
    v.finish()?;
    let Some(first) = planned.first().copied() else {
        return Err(ApiError::field("starts_on", "no session fits in the season").into());
    };
    let event_id = Uuid::now_v7();
    let space_id = body.space_id.or(proposal.space_id);
    let mut event = events::Model {
        id: event_id,
        season_id: Some(season.id),
        title: proposal.title.clone(),
        description: proposal.description.clone(),
        description_en: String::new(),
        categories: proposal.categories.clone(),
        age_min: proposal.age_min,
        age_max: proposal.age_max,
        capacity: proposal.capacity,
        time_zone: zone.name().to_string(),
        starts_at: first.starts_at,
        ends_at: first.ends_at,
        recurrence: Some(rule),
        space_id,
        space_status: SpaceStatus::None.as_str().into(),
        space_reason: None,
        status: EventStatus::Draft.as_str().into(),
        cancel_reason: None,
        organisation_id: proposal.organisation_id,
        organisation_name: proposal.organisation_name.clone(),
        contact_email: Some(proposal.contact_email.clone()),
        created_by: claims.sub,
        slot_correlation: None,
        slot_requested_at: None,
        sequence: 0,
        published_at: None,
        created_at: now,
        updated_at: now,
        accessibility_notes: String::new(),
        price_cents: 0,
        funding_line: None,
        programme_id: None,
        waitlist: true,
        registration_closes_minutes: None,
        exdates: serde_json::json!([]),
        source_feed_id: None,
        source_uid: None,
        location: None,
    };
    let rows: Vec<_> = planned
        .iter()
        .map(|i| new_occurrence(event_id, i.starts_at, i.ends_at, now))
        .collect();
    store_new(&unit, &mut event, &rows, now).await?;
    proposal.status = ProposalStatus::Accepted.as_str().into();
    proposal.event_ids = serde_json::json!([event_id]);
    proposal.decided_at = Some(now);
    proposals::ActiveModel::from(proposal.clone())
        .reset_all()
        .update(&*unit)
        .await?;
    let message = ProposalAccepted {
        version: 1,
        proposal: summary(&proposal),
        event_ids: vec![event_id],
    };
    unit.publish(&message, Some(proposal.id.to_string()))
        .await?;
    let (before, after) = (
        json!({ "status": "submitted" }),
        proposal_view(proposal.clone()),
    );
    unit.audit(
        claims,
        "proposal.accept",
        id,
        Some(before),
        audit::json(&after),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(proposal_id = %id, %event_id, sessions = rows.len(), actor = %claims.sub, "proposal accepted");
    Ok(proposal_view(proposal))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decline {
    pub reason: String,
}

/// Declines a proposal, saying why.
pub async fn decline(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: Decline,
) -> Result<ProposalView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let reason = input::reason(&body.reason)?;
    let unit = state.begin().await?;
    let mut proposal = find_proposal(&*unit, id).await?;
    refuse_decided(&proposal)?;
    proposal.status = ProposalStatus::Declined.as_str().into();
    proposal.decision_reason = Some(reason.clone());
    proposal.decided_at = Some(piazza_shared::clock::now());
    proposals::ActiveModel::from(proposal.clone())
        .reset_all()
        .update(&*unit)
        .await?;
    let message = ProposalDeclined {
        version: 1,
        proposal: summary(&proposal),
        reason,
    };
    unit.publish(&message, Some(proposal.id.to_string()))
        .await?;
    let (before, after) = (
        json!({ "status": "submitted" }),
        proposal_view(proposal.clone()),
    );
    unit.audit(
        claims,
        "proposal.decline",
        id,
        Some(before),
        audit::json(&after),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(proposal_id = %id, actor = %claims.sub, "proposal declined");
    Ok(proposal_view(proposal))
}
