//! Socio-educational pathways for young people in difficulty (issue 16): owned by Social
//! policies, run by an operator organisation, paid by a funding line, with sessions in spaces.
//! A pathway's sessions are the occurrences of hidden events ([`crate::db::pathways::series`]),
//! so they get their space from booking over the bus through the event machinery; those events
//! are never published and every event API and page treats them as absent, so a pathway never
//! reaches the public calendar, the ICS feeds, the notifier's matching or the digests.
//!
//! Young people are enrolled by referral ([`referrals`]); the operator takes attendance per
//! session ([`attendance`]); organisations are accredited to refer ([`accreditations`]). Who
//! sees names is decided in [`access`]; everyone else gets [`Count`]s with small-cell
//! suppression.

pub mod access;
pub mod accreditations;
pub mod attendance;
pub mod referrals;

use crate::{
    db::{
        events,
        occurrences::{self, new_occurrence},
        pathways::{attendance as attendance_rows, pathway, referral, series},
        spaces,
    },
    domain::{SCHEDULED, TextRule, check_text},
    error::SchedulerError,
    ops::events::{
        hold::{Hold, held_draft},
        store_new,
    },
    schedule::timing,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Claims, Role},
    contracts::{FundingLine, pathway::AgeBand, sector::SOCIAL_POLICIES},
    http::{ApiError, Violations},
    small_cells::Count,
    time::{parse_instant, parse_zone},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPathway {
    #[schema(max_length = 200)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// The operator organisation that runs it: its operators take attendance.
    pub organisation_id: Uuid,
    #[schema(max_length = 200)]
    pub organisation_name: String,
    /// Default `fse_plus` (pathways are typically paid by ESF+).
    #[serde(default)]
    pub funding_line: Option<FundingLine>,
}

/// Sessions of a pathway in one space: one session, or a series by an RFC 5545 rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSessions {
    pub space_id: Uuid,
    /// RFC 3339 with offset: the first session.
    #[schema(format = DateTime)]
    pub starts_at: String,
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// IANA zone; defaults to the configured one.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// RFC 5545 RRULE, e.g. `FREQ=WEEKLY;COUNT=10`.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub recurrence: Option<String>,
}

/// One session of a pathway.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// The session id (used for its attendance).
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `scheduled` or `cancelled`.
    pub status: String,
    pub space_id: Option<Uuid>,
    pub space_name: Option<String>,
    /// Whether booking has granted the space: `pending`, `confirmed` or `unavailable`.
    pub space_status: String,
    /// Whether the operator has taken attendance.
    pub attendance_taken: bool,
    /// Young people present (suppressed below 5).
    pub present: Count,
}

/// A young person taking part, as the referring worker and the pathway's operator see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParticipantView {
    /// The referral (enrolment) id.
    pub id: Uuid,
    pub name: String,
    pub birth_year: i32,
    pub age_band: AgeBand,
    pub contact: Option<String>,
    pub note: String,
    /// Whether the caller referred them.
    pub referred_by_you: bool,
    pub completed_at: Option<DateTime<Utc>>,
    /// Sessions they were present at.
    pub sessions_present: u64,
    pub referred_at: DateTime<Utc>,
}

/// A pathway. `participants` is there only for its operator (everyone) and for a referring
/// worker (those they referred); everyone else reads the counts, suppressed below 5.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PathwayView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub funding_line: FundingLine,
    /// The owning sector's code (`social_policies`).
    pub sector: String,
    pub sessions: Vec<SessionView>,
    /// Young people enrolled (suppressed below 5).
    pub enrolled: Count,
    /// Young people who completed it (suppressed below 5).
    pub completed: Count,
    pub participants: Option<Vec<ParticipantView>>,
    /// Whether the caller may refer young people to it.
    pub may_refer: bool,
    /// Whether the caller runs it (takes attendance, records completion).
    pub runs: bool,
    pub created_at: DateTime<Utc>,
}

/// The stored funding line of a pathway.
pub(crate) fn funding_of(model: &pathway::Model) -> FundingLine {
    FundingLine::parse(&model.funding_line).unwrap_or(FundingLine::FsePlus)
}

/// The pathway `id`, or 404.
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<pathway::Model, ApiError> {
    pathway::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("pathway"))
}

/// 403 unless the caller is an administrator in Social policies, who own pathways.
pub(crate) fn require_owner(caller: &Caller) -> Result<&Claims, ApiError> {
    let claims = caller.require(&[Role::Admin])?;
    if claims.in_sector(SOCIAL_POLICIES) {
        Ok(claims)
    } else {
        Err(ApiError::Forbidden(
            "pathways are managed by the Social policies sector".into(),
        ))
    }
}

/// The events carrying the pathway's sessions and the sessions themselves, in time order.
pub(crate) async fn sessions_of(
    conn: &impl ConnectionTrait,
    pathway_id: Uuid,
) -> Result<Vec<(occurrences::Model, events::Model)>, sea_orm::DbErr> {
    let ids: Vec<Uuid> = series::Entity::find()
        .filter(series::Column::PathwayId.eq(pathway_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.event_id)
        .collect();
    let carriers: HashMap<Uuid, events::Model> = events::Entity::find()
        .filter(events::Column::Id.is_in(ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let rows = occurrences::Entity::find()
        .filter(occurrences::Column::EventId.is_in(ids))
        .order_by_asc(occurrences::Column::StartsAt)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|o| carriers.get(&o.event_id).cloned().map(|e| (o, e)))
        .collect())
}

/// The pathway as `claims` may see it.
pub(crate) async fn view(
    conn: &impl ConnectionTrait,
    claims: &Claims,
    model: pathway::Model,
) -> Result<PathwayView, ApiError> {
    let sessions = sessions_of(conn, model.id).await?;
    let space_ids: Vec<Uuid> = sessions.iter().filter_map(|(_, e)| e.space_id).collect();
    let names: HashMap<Uuid, String> = spaces::Entity::find()
        .filter(spaces::Column::Id.is_in(space_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let marks = attendance_rows::Entity::find()
        .filter(attendance_rows::Column::PathwayId.eq(model.id))
        .all(conn)
        .await?;
    let referrals = referral::Entity::find()
        .filter(referral::Column::PathwayId.eq(model.id))
        .order_by_asc(referral::Column::CreatedAt)
        .all(conn)
        .await?;
    let runs = access::runs(claims, &model);
    let visible: Vec<ParticipantView> = referrals
        .iter()
        .filter(|r| access::sees_name(claims, &model, r))
        .map(|r| ParticipantView {
            id: r.id,
            name: r.name.clone(),
            birth_year: r.birth_year,
            age_band: AgeBand::parse(&r.age_band).unwrap_or(AgeBand::From18To24),
            contact: r.contact.clone(),
            note: r.note.clone(),
            referred_by_you: r.referred_by == claims.sub,
            completed_at: r.completed_at,
            sessions_present: marks
                .iter()
                .filter(|m| m.referral_id == r.id && m.present)
                .count() as u64,
            referred_at: r.created_at,
        })
        .collect();
    let participants = (runs || !visible.is_empty()).then_some(visible);
    let sessions = sessions
        .into_iter()
        .map(|(o, e)| {
            let taken: Vec<_> = marks.iter().filter(|m| m.occurrence_id == o.id).collect();
            SessionView {
                id: o.id,
                starts_at: o.starts_at,
                ends_at: o.ends_at,
                status: o.status,
                space_id: e.space_id,
                space_name: e.space_id.and_then(|s| names.get(&s).cloned()),
                space_status: e.space_status,
                attendance_taken: !taken.is_empty(),
                present: Count::of(taken.iter().filter(|m| m.present).count() as u64),
            }
        })
        .collect();
    Ok(PathwayView {
        may_refer: access::may_refer(conn, claims).await?,
        runs,
        funding_line: funding_of(&model),
        enrolled: Count::of(referrals.len() as u64),
        completed: Count::of(
            referrals
                .iter()
                .filter(|r| r.completed_at.is_some())
                .count() as u64,
        ),
        participants,
        sessions,
        id: model.id,
        name: model.name,
        description: model.description,
        organisation_id: model.organisation_id,
        organisation_name: model.organisation_name,
        sector: model.sector,
        created_at: model.created_at,
    })
}

/// Creates a pathway (administrators in Social policies).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewPathway,
) -> Result<PathwayView, SchedulerError> {
    let claims = require_owner(caller)?;
    let mut v = Violations::new();
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let description = check_text(&mut v, "description", &body.description, TextRule::LONG);
    let organisation_name = check_text(
        &mut v,
        "organisation_name",
        &body.organisation_name,
        TextRule::NAME,
    );
    v.check(
        !body.organisation_id.is_nil(),
        "organisation_id",
        "must be an organisation's id",
    );
    v.finish()?;
    let model = pathway::Model {
        id: Uuid::now_v7(),
        name,
        description,
        organisation_id: body.organisation_id,
        organisation_name,
        funding_line: body
            .funding_line
            .unwrap_or(FundingLine::FsePlus)
            .as_str()
            .into(),
        sector: SOCIAL_POLICIES.into(),
        created_by: claims.sub,
        created_at: piazza_shared::clock::now(),
    };
    let unit = state.begin().await?;
    pathway::Entity::insert(pathway::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let after = audit::json(&serde_json::json!({
        "name": model.name, "organisation_id": model.organisation_id,
        "funding_line": model.funding_line,
    }));
    unit.audit(claims, "pathway.create", model.id, None, after)
        .await?;
    unit.commit().await?;
    tracing::info!(pathway_id = %model.id, actor = %claims.sub, "pathway created");
    Ok(view(state.db.conn(), claims, model).await?)
}

/// The pathways the caller may read: all for administrators and evaluators; for an operator,
/// those its organisation runs, or all when it is accredited to refer.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<PathwayView>, SchedulerError> {
    let claims = caller.require(&[Role::Admin, Role::Operator, Role::Evaluator])?;
    let conn = state.db.conn();
    let all = pathway::Entity::find()
        .order_by_asc(pathway::Column::Name)
        .all(conn)
        .await?;
    let accredited = access::accredited(conn, claims).await?;
    let mut out = Vec::new();
    for model in all {
        if access::may_read(claims, &model, accredited) {
            out.push(view(conn, claims, model).await?);
        }
    }
    Ok(out)
}

/// One pathway (404 when unknown, 403 for an operator who neither runs it nor may refer).
pub async fn get(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<PathwayView, SchedulerError> {
    let claims = caller.require(&[Role::Admin, Role::Operator, Role::Evaluator])?;
    let conn = state.db.conn();
    let model = find(conn, id).await?;
    access::require_read(conn, claims, &model).await?;
    Ok(view(conn, claims, model).await?)
}

/// Adds sessions in a space: a hidden event whose occurrences are the sessions, asked of
/// booking like any event's (administrators in Social policies).
pub async fn add_sessions(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: NewSessions,
) -> Result<PathwayView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    // An unknown pathway is 404 for every administrator, before the sector is looked at.
    let model = find(state.db.conn(), id).await?;
    let claims = require_owner(caller)?;
    let mut v = Violations::new();
    let zone = match &body.time_zone {
        Some(name) => v.take("time_zone", parse_zone(name)),
        None => Some(state.settings.time_zone),
    };
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    if let Some(rule) = &body.recurrence {
        v.check(
            rule.len() <= 500,
            "recurrence",
            "must be at most 500 characters",
        );
    }
    let now = piazza_shared::clock::now();
    if let Some(starts_at) = starts_at {
        v.check(starts_at > now, "starts_at", "must be in the future");
    }
    let mut planned = Vec::new();
    if let (Some(starts_at), Some(ends_at), Some(zone)) = (starts_at, ends_at, zone) {
        planned = timing::plan(
            &mut v,
            &timing::Timing {
                starts_at,
                ends_at,
                zone,
                rule: body.recurrence.as_deref(),
                exclusions: &[],
                season: None,
                max: state.settings.scheduler.max_occurrences,
            },
        );
    }
    v.finish()?;
    let Some(first) = planned.first().copied() else {
        return Err(ApiError::field("starts_at", "is required").into());
    };
    let zone = zone.unwrap_or(state.settings.time_zone);
    let event_id = Uuid::now_v7();
    let mut event = held_draft(
        Hold {
            id: event_id,
            season_id: None,
            title: model.name.clone(),
            held_for: model.organisation_name.clone(),
            categories: serde_json::json!([]),
            space_id: body.space_id,
            zone,
            starts_at: first.starts_at,
            ends_at: first.ends_at,
            recurrence: body.recurrence.as_ref().map(|r| r.trim().to_string()),
            funding_line: Some(funding_of(&model).as_str().to_string()),
        },
        claims,
        now,
    );
    let rows: Vec<occurrences::Model> = planned
        .iter()
        .map(|i| new_occurrence(event_id, i.starts_at, i.ends_at, now))
        .collect();
    let unit = state.begin().await?;
    series::Entity::insert(series::ActiveModel::from(series::Model {
        event_id,
        pathway_id: id,
    }))
    .exec_without_returning(&*unit)
    .await?;
    store_new(&unit, &mut event, &rows, now).await?;
    let after = audit::json(&serde_json::json!({
        "space_id": body.space_id, "sessions": rows.iter().map(|o| o.starts_at).collect::<Vec<_>>(),
    }));
    unit.audit(claims, "pathway.sessions_add", id, None, after)
        .await?;
    unit.commit().await?;
    tracing::info!(pathway_id = %id, sessions = rows.len(), "pathway sessions added");
    Ok(view(state.db.conn(), claims, model).await?)
}

/// The session `session_id` of the pathway, or 404.
pub(crate) async fn session(
    conn: &impl ConnectionTrait,
    pathway_id: Uuid,
    session_id: Uuid,
) -> Result<(occurrences::Model, events::Model), ApiError> {
    sessions_of(conn, pathway_id)
        .await?
        .into_iter()
        .find(|(o, _)| o.id == session_id && o.status == SCHEDULED)
        .ok_or(ApiError::NotFound("session"))
}

/// Whether the event `id` carries pathway sessions (and so is hidden from the event APIs).
pub async fn is_pathway_event(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<bool, sea_orm::DbErr> {
    Ok(series::Entity::find_by_id(id).one(conn).await?.is_some())
}

/// A condition on `events` that leaves out the events carrying pathway sessions, for lists of
/// events (which never show a pathway).
pub fn not_a_pathway_event() -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::Query;
    events::Column::Id.not_in_subquery(
        Query::select()
            .column(series::Column::EventId)
            .from(series::Entity)
            .to_owned(),
    )
}
