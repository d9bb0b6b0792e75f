//! A table's meetings. A meeting is an event of the scheduler's that is never published: it
//! shares the event's id, and the event carries its title, space, times and slot saga, so
//! scheduling a meeting asks booking for its space over the bus exactly as an event does
//! (`scheduling.slot_requested`, answered under the same correlation id), it holds the slot in
//! the space's availability, it sits on its season's planner, and moving or cancelling it moves
//! or frees the slot through the event's own use cases. What a meeting adds is kept beside it:
//! the agenda before, and after it has begun the minutes, the attendance counts and the
//! decisions with what they led to. Recording a meeting tells the monitoring read model
//! (`table.meeting_held`, counts only).

use super::{find, is_admin, kind_of};
use crate::{
    db::{
        calls, events,
        occurrences::new_occurrence,
        proposals, seasons, spaces,
        tables::{decision, meeting, table},
    },
    domain::{EventStatus, SeasonStatus, SpaceStatus, TextRule, check_text, tables::LedTo},
    error::SchedulerError,
    ops::events::{
        changes,
        hold::{Hold, held_draft},
        lifecycle, store_new,
    },
    state::AppState,
};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::{Category, FundingLine, table::TableMeetingHeld},
    http::{ApiError, Violations},
    time::{parse_instant, parse_zone},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The longest a meeting may last.
const LONGEST_HOURS: i64 = 24;

const AGENDA: TextRule = TextRule {
    required: false,
    max: 10_000,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub title: String,
    /// Where it is held: booking is asked for the slot.
    pub space_id: Uuid,
    /// RFC 3339 with offset, in the future.
    #[schema(format = DateTime)]
    pub starts_at: String,
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// IANA zone; defaults to the configured one.
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub agenda: String,
    /// The season whose planner shows it; by default the season whose dates include the day.
    #[serde(default)]
    pub season_id: Option<Uuid>,
}

/// What to change; absent fields stay as they are. A new time or space moves the slot.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPatch {
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub title: Option<String>,
    pub space_id: Option<Uuid>,
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    pub time_zone: Option<String>,
    #[schema(
        max_length = 10000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub agenda: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelMeeting {
    #[schema(
        max_length = 1000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub reason: String,
}

/// What a decision led to: a call, a proposal, an event, or a space reactivated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LedToRef {
    pub kind: LedTo,
    pub id: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    #[schema(
        max_length = 2000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub text: String,
    #[serde(default)]
    pub led_to: Option<LedToRef>,
}

/// The record of a meeting once it has begun; recording again replaces it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRecord {
    #[schema(
        max_length = 50000,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub minutes: String,
    /// People present.
    #[schema(minimum = 0, maximum = 10000)]
    pub attendance: i64,
    /// Of whom young people's representatives.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000)]
    pub youth_representatives: i64,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub decisions: Vec<NewDecision>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionView {
    pub id: Uuid,
    pub text: String,
    pub led_to: Option<LedToRef>,
}

/// Where a meeting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Cancelled,
    /// It took place and its minutes and attendance are recorded.
    Held,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingView {
    /// Also the id of the meeting's event.
    pub id: Uuid,
    pub table_id: Uuid,
    pub title: String,
    pub space_id: Option<Uuid>,
    pub space_name: Option<String>,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub season_id: Option<Uuid>,
    /// Empty, like the minutes, for people other than administrators at a social-services
    /// table.
    pub agenda: String,
    pub status: MeetingStatus,
    /// Booking's answer: `pending`, `confirmed` or `unavailable`.
    pub space_status: SpaceStatus,
    pub space_reason: Option<String>,
    pub cancel_reason: Option<String>,
    /// The minutes: `null` until recorded, and always for people other than administrators at
    /// a social-services table (its minutes stay internal).
    pub minutes: Option<String>,
    pub attendance: Option<u32>,
    pub youth_representatives: Option<u32>,
    /// Hidden with the minutes.
    pub decisions: Vec<DecisionView>,
    pub recorded_at: Option<DateTime<Utc>>,
}

fn count(n: Option<i64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

/// The views of `rows` of `table`, in time order; `admin` sees internal minutes.
async fn views(
    conn: &impl ConnectionTrait,
    table: &table::Model,
    rows: Vec<meeting::Model>,
    admin: bool,
) -> Result<Vec<MeetingView>, ApiError> {
    let ids: Vec<Uuid> = rows.iter().map(|m| m.event_id).collect();
    let events: HashMap<Uuid, events::Model> = events::Entity::find()
        .filter(events::Column::Id.is_in(ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let places: HashMap<Uuid, spaces::Model> = spaces::Entity::find()
        .filter(spaces::Column::Id.is_in(events.values().filter_map(|e| e.space_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut decided: HashMap<Uuid, Vec<DecisionView>> = HashMap::new();
    for d in decision::Entity::find()
        .filter(decision::Column::MeetingId.is_in(ids))
        .order_by_asc(decision::Column::Position)
        .all(conn)
        .await?
    {
        let led_to = match (d.led_to_kind.as_deref().and_then(LedTo::parse), d.led_to_id) {
            (Some(kind), Some(id)) => Some(LedToRef { kind, id }),
            _ => None,
        };
        decided.entry(d.meeting_id).or_default().push(DecisionView {
            id: d.id,
            text: d.text,
            led_to,
        });
    }
    let open = admin || kind_of(table).minutes_public();
    let mut out: Vec<MeetingView> = rows
        .into_iter()
        .filter_map(|m| {
            let event = events.get(&m.event_id)?;
            let status = if event.status == EventStatus::Cancelled.as_str() {
                MeetingStatus::Cancelled
            } else if m.recorded_at.is_some() {
                MeetingStatus::Held
            } else {
                MeetingStatus::Scheduled
            };
            Some(MeetingView {
                id: m.event_id,
                table_id: m.table_id,
                title: event.title.clone(),
                space_id: event.space_id,
                space_name: event
                    .space_id
                    .and_then(|s| places.get(&s))
                    .map(|s| format!("{} — {}", s.name, s.building)),
                time_zone: event.time_zone.clone(),
                starts_at: event.starts_at,
                ends_at: event.ends_at,
                season_id: event.season_id,
                agenda: if open { m.agenda } else { String::new() },
                status,
                space_status: SpaceStatus::parse(&event.space_status).unwrap_or(SpaceStatus::None),
                space_reason: event.space_reason.clone(),
                cancel_reason: event.cancel_reason.clone(),
                minutes: m.minutes.filter(|_| open),
                attendance: count(m.attendance),
                youth_representatives: count(m.youth_representatives),
                decisions: if open {
                    decided.remove(&m.event_id).unwrap_or_default()
                } else {
                    Vec::new()
                },
                recorded_at: m.recorded_at,
            })
        })
        .collect();
    out.sort_by_key(|m| (m.starts_at, m.id));
    Ok(out)
}

async fn one(
    conn: &impl ConnectionTrait,
    table: &table::Model,
    id: Uuid,
    admin: bool,
) -> Result<MeetingView, ApiError> {
    let row = find_meeting(conn, table.id, id).await?;
    views(conn, table, vec![row], admin)
        .await?
        .pop()
        .ok_or(ApiError::NotFound("meeting"))
}

async fn find_meeting(
    conn: &impl ConnectionTrait,
    table_id: Uuid,
    id: Uuid,
) -> Result<meeting::Model, ApiError> {
    meeting::Entity::find_by_id(id)
        .filter(meeting::Column::TableId.eq(table_id))
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("meeting"))
}

/// The season a meeting on `day` goes into: the one named, else one not archived whose dates
/// include the day.
async fn season_for(
    conn: &impl ConnectionTrait,
    v: &mut Violations,
    named: Option<Uuid>,
    day: chrono::NaiveDate,
) -> Result<Option<Uuid>, ApiError> {
    if let Some(id) = named {
        let season = seasons::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(ApiError::NotFound("season"))?;
        v.check(
            season.status != SeasonStatus::Archived.as_str(),
            "season_id",
            "the season is archived",
        );
        v.check(
            season.starts_on <= day && day <= season.ends_on,
            "starts_at",
            "must fall within the season's dates",
        );
        return Ok(Some(id));
    }
    Ok(seasons::Entity::find()
        .filter(seasons::Column::Status.ne(SeasonStatus::Archived.as_str()))
        .filter(seasons::Column::StartsOn.lte(day))
        .filter(seasons::Column::EndsOn.gte(day))
        .order_by_asc(seasons::Column::StartsOn)
        .one(conn)
        .await?
        .map(|s| s.id))
}

fn check_times(
    v: &mut Violations,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    if let Some(s) = starts_at {
        v.check(s > now, "starts_at", "must be in the future");
    }
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        v.check(e > s, "ends_at", "must be after starts_at");
        v.check(
            e - s <= Duration::hours(LONGEST_HOURS),
            "ends_at",
            format!("a meeting lasts at most {LONGEST_HOURS} hours"),
        );
    }
}

/// Schedules a meeting of a table in a space (administrators): booking is asked for the slot.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    table_id: Uuid,
    body: NewMeeting,
) -> Result<MeetingView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    let table = find(conn, table_id).await?;
    let now = piazza_shared::clock::now();
    let mut v = Violations::new();
    let title = check_text(&mut v, "title", &body.title, TextRule::TITLE);
    let agenda = check_text(&mut v, "agenda", &body.agenda, AGENDA);
    let zone = match &body.time_zone {
        Some(name) => v.take("time_zone", parse_zone(name)),
        None => Some(state.settings.time_zone),
    };
    let starts_at = v.take("starts_at", parse_instant(&body.starts_at));
    let ends_at = v.take("ends_at", parse_instant(&body.ends_at));
    check_times(&mut v, starts_at, ends_at, now);
    let season_id = match (starts_at, zone) {
        (Some(s), Some(z)) => {
            season_for(
                conn,
                &mut v,
                body.season_id,
                s.with_timezone(&z).date_naive(),
            )
            .await?
        }
        _ => None,
    };
    v.finish()?;
    let (Some(starts_at), Some(ends_at), Some(zone)) = (starts_at, ends_at, zone) else {
        return Err(ApiError::field("starts_at", "is required").into());
    };
    let id = Uuid::now_v7();
    // The meeting's event: a draft of the table's, never published, so nothing public shows it
    // as an event; an administrator's draft gets its slot approved at once when it is free.
    let mut event = held_draft(
        Hold {
            id,
            season_id,
            title,
            held_for: table.name.clone(),
            categories: serde_json::to_value([Category::Civic]).unwrap_or_default(),
            space_id: body.space_id,
            zone,
            starts_at,
            ends_at,
            recurrence: None,
            funding_line: table
                .funding_line
                .as_deref()
                .and_then(FundingLine::parse)
                .map(|line| line.as_str().to_string()),
        },
        claims,
        now,
    );
    let rows = vec![new_occurrence(id, starts_at, ends_at, now)];
    let row = meeting::Model {
        event_id: id,
        table_id,
        agenda,
        minutes: None,
        attendance: None,
        youth_representatives: None,
        recorded_at: None,
        created_at: now,
    };
    let unit = state.begin().await?;
    store_new(&unit, &mut event, &rows, now).await?;
    meeting::Entity::insert(meeting::ActiveModel::from(row.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let after = json!({
        "table_id": table_id, "title": event.title, "space_id": body.space_id,
        "starts_at": starts_at, "ends_at": ends_at, "agenda": row.agenda,
    });
    unit.audit(claims, "table.meeting_schedule", id, None, Some(after))
        .await?;
    unit.commit().await?;
    tracing::info!(%table_id, meeting_id = %id, actor = %claims.sub, "meeting scheduled");
    Ok(one(conn, &table, id, true).await?)
}

/// A table's meetings in time order. Public; internal minutes for administrators only.
pub async fn list(
    state: &AppState,
    caller: Option<&Caller>,
    table_id: Uuid,
) -> Result<Vec<MeetingView>, SchedulerError> {
    let conn = state.db.conn();
    let table = find(conn, table_id).await?;
    let rows = meeting::Entity::find()
        .filter(meeting::Column::TableId.eq(table_id))
        .all(conn)
        .await?;
    Ok(views(conn, &table, rows, is_admin(caller)).await?)
}

/// Every table's meetings, for the pages: per table id, in time order.
pub async fn all(
    state: &AppState,
    caller: Option<&Caller>,
) -> Result<HashMap<Uuid, Vec<MeetingView>>, SchedulerError> {
    let conn = state.db.conn();
    let tables = table::Entity::find().all(conn).await?;
    let mut by_table: HashMap<Uuid, Vec<meeting::Model>> = HashMap::new();
    for row in meeting::Entity::find().all(conn).await? {
        by_table.entry(row.table_id).or_default().push(row);
    }
    let mut out = HashMap::new();
    for table in &tables {
        let rows = by_table.remove(&table.id).unwrap_or_default();
        out.insert(table.id, views(conn, table, rows, is_admin(caller)).await?);
    }
    Ok(out)
}

/// One meeting. Public; internal minutes for administrators only.
pub async fn get(
    state: &AppState,
    caller: Option<&Caller>,
    table_id: Uuid,
    id: Uuid,
) -> Result<MeetingView, SchedulerError> {
    let conn = state.db.conn();
    let table = find(conn, table_id).await?;
    Ok(one(conn, &table, id, is_admin(caller)).await?)
}

/// Changes a meeting (administrators): a new time or space goes through the event's own change,
/// so booking moves the hold.
pub async fn patch(
    state: &AppState,
    caller: &Caller,
    table_id: Uuid,
    id: Uuid,
    body: MeetingPatch,
) -> Result<MeetingView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let conn = state.db.conn();
    let table = find(conn, table_id).await?;
    let row = find_meeting(conn, table_id, id).await?;
    let mut v = Violations::new();
    let agenda = body
        .agenda
        .as_deref()
        .map(|a| check_text(&mut v, "agenda", a, AGENDA));
    let now = piazza_shared::clock::now();
    let starts_at = body
        .starts_at
        .as_deref()
        .and_then(|s| v.take("starts_at", parse_instant(s)));
    let ends_at = body
        .ends_at
        .as_deref()
        .and_then(|s| v.take("ends_at", parse_instant(s)));
    check_times(&mut v, starts_at, ends_at, now);
    v.finish()?;
    let event_change = changes::EventPatch {
        title: body.title,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        time_zone: body.time_zone,
        space_id: body.space_id.map(Some),
        ..Default::default()
    };
    let moves = event_change.title.is_some()
        || event_change.starts_at.is_some()
        || event_change.ends_at.is_some()
        || event_change.time_zone.is_some()
        || event_change.space_id.is_some();
    let before = one(conn, &table, id, true).await?;
    if moves {
        changes::patch_any(state, caller, id, event_change).await?;
    }
    let unit = state.begin().await?;
    if let Some(agenda) = &agenda {
        let mut active: meeting::ActiveModel = row.clone().into();
        active.agenda = sea_orm::Set(agenda.clone());
        sea_orm::ActiveModelTrait::update(active, &*unit).await?;
    }
    let after = one(&*unit, &table, id, true).await?;
    let said = |m: &MeetingView| {
        json!({
            "title": m.title, "space_id": m.space_id, "starts_at": m.starts_at,
            "ends_at": m.ends_at, "time_zone": m.time_zone, "agenda": m.agenda,
        })
    };
    unit.audit(
        &claims,
        "table.meeting_update",
        id,
        Some(said(&before)),
        Some(said(&after)),
    )
    .await?;
    unit.commit().await?;
    Ok(after)
}

/// Cancels a meeting (administrators): its event is cancelled and booking frees the slot.
pub async fn cancel(
    state: &AppState,
    caller: &Caller,
    table_id: Uuid,
    id: Uuid,
    body: CancelMeeting,
) -> Result<MeetingView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    let table = find(conn, table_id).await?;
    find_meeting(conn, table_id, id).await?;
    lifecycle::cancel_any(
        state,
        caller,
        id,
        lifecycle::CancelEvent {
            reason: body.reason,
        },
    )
    .await?;
    Ok(one(conn, &table, id, true).await?)
}

/// Whether what a decision names exists: calls, proposals and events here; spaces in the
/// scheduler's read model of booking's spaces.
async fn exists(conn: &impl ConnectionTrait, to: &LedToRef) -> Result<bool, ApiError> {
    Ok(match to.kind {
        LedTo::Call => calls::Entity::find_by_id(to.id).one(conn).await?.is_some(),
        LedTo::Proposal => proposals::Entity::find_by_id(to.id)
            .one(conn)
            .await?
            .is_some(),
        LedTo::Event => events::Entity::find_by_id(to.id).one(conn).await?.is_some(),
        LedTo::Space => spaces::Entity::find_by_id(to.id).one(conn).await?.is_some(),
    })
}

/// Records the minutes, attendance and decisions of a meeting that has begun (administrators),
/// and tells the monitoring read model.
pub async fn record(
    state: &AppState,
    caller: &Caller,
    table_id: Uuid,
    id: Uuid,
    body: MeetingRecord,
) -> Result<MeetingView, SchedulerError> {
    let claims = caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    let table = find(conn, table_id).await?;
    let mut v = Violations::new();
    let minutes = check_text(
        &mut v,
        "minutes",
        &body.minutes,
        TextRule {
            required: true,
            max: 50_000,
        },
    );
    v.check(
        (0..=10_000).contains(&body.attendance),
        "attendance",
        "must be between 0 and 10000",
    );
    v.check(
        (0..=10_000).contains(&body.youth_representatives),
        "youth_representatives",
        "must be between 0 and 10000",
    );
    // Only when attendance itself is sound: a wrong count is said once, on its own field.
    if (0..=10_000).contains(&body.attendance) {
        v.check(
            body.youth_representatives <= body.attendance,
            "youth_representatives",
            "must not be more than attendance",
        );
    }
    v.check(
        body.decisions.len() <= 100,
        "decisions",
        "at most 100 decisions",
    );
    let mut texts = Vec::new();
    for (i, d) in body.decisions.iter().enumerate() {
        texts.push(check_text(
            &mut v,
            &format!("decisions[{i}].text"),
            &d.text,
            TextRule {
                required: true,
                max: 2000,
            },
        ));
        if let Some(to) = &d.led_to
            && !exists(conn, to).await?
        {
            v.add(
                format!("decisions[{i}].led_to.id"),
                format!("no {} with this id", to.kind.as_str()),
            );
        }
    }
    v.finish()?;
    let unit = state.begin().await?;
    let row = find_meeting(&*unit, table_id, id).await?;
    let event = events::Entity::find_by_id(id)
        .one(&*unit)
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    let now = piazza_shared::clock::now();
    if event.status == EventStatus::Cancelled.as_str() {
        return Err(ApiError::refused(
            "meeting_cancelled",
            "a cancelled meeting has no minutes",
            Vec::new(),
        )
        .into());
    }
    if event.starts_at > now {
        return Err(ApiError::refused(
            "meeting_not_held",
            "the meeting has not begun: record it once it is held",
            vec![json!({ "starts_at": event.starts_at })],
        )
        .into());
    }
    let before = json!({
        "minutes": row.minutes, "attendance": row.attendance,
        "youth_representatives": row.youth_representatives,
    });
    let mut active: meeting::ActiveModel = row.into();
    active.minutes = sea_orm::Set(Some(minutes.clone()));
    active.attendance = sea_orm::Set(Some(body.attendance));
    active.youth_representatives = sea_orm::Set(Some(body.youth_representatives));
    active.recorded_at = sea_orm::Set(Some(now));
    sea_orm::ActiveModelTrait::update(active, &*unit).await?;
    decision::Entity::delete_many()
        .filter(decision::Column::MeetingId.eq(id))
        .exec(&*unit)
        .await?;
    for (position, (d, text)) in body.decisions.iter().zip(texts).enumerate() {
        let model = decision::Model {
            id: Uuid::now_v7(),
            meeting_id: id,
            position: i64::try_from(position).unwrap_or(i64::MAX),
            text,
            led_to_kind: d.led_to.as_ref().map(|t| t.kind.as_str().to_string()),
            led_to_id: d.led_to.as_ref().map(|t| t.id),
        };
        decision::Entity::insert(decision::ActiveModel::from(model))
            .exec_without_returning(&*unit)
            .await?;
    }
    let minuted = Minuted {
        attendance: body.attendance,
        youth_representatives: body.youth_representatives,
        decisions: body.decisions.len(),
    };
    let held = held(&table, &event, minuted);
    unit.publish(&held, Some(id.to_string())).await?;
    let after = json!({
        "minutes": minutes, "attendance": body.attendance,
        "youth_representatives": body.youth_representatives,
        "decisions": body.decisions.len(),
    });
    unit.audit(
        claims,
        "table.meeting_record",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    unit.commit().await?;
    tracing::info!(%table_id, meeting_id = %id, actor = %claims.sub, "meeting recorded");
    Ok(one(conn, &table, id, true).await?)
}

/// The counts a meeting's minutes record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Minuted {
    pub attendance: i64,
    pub youth_representatives: i64,
    pub decisions: usize,
}

/// `table.meeting_held` for the meeting `event` of `table`, as its minutes record it.
pub(crate) fn held(
    table: &table::Model,
    event: &events::Model,
    minuted: Minuted,
) -> TableMeetingHeld {
    TableMeetingHeld {
        version: 1,
        meeting_id: event.id,
        table_id: table.id,
        table_kind: kind_of(table).as_str().into(),
        funding_line: table.funding_line.as_deref().and_then(FundingLine::parse),
        space_id: event.space_id,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        attendance: u32::try_from(minuted.attendance).unwrap_or(0),
        youth_representatives: u32::try_from(minuted.youth_representatives).unwrap_or(0),
        decisions: u32::try_from(minuted.decisions).unwrap_or(0),
    }
}
