//! Attendance per session, taken by the pathway's operator: who was present, from the young
//! people enrolled. The operator reads names; a referring worker reads those they referred;
//! everyone else reads the counts, suppressed below 5. Taking it is told as counts by age band
//! (`piazza.pathway.session_attended`).

use super::{access, find, funding_of, referrals::band_of, session};
use crate::{
    db::{
        occurrences,
        pathways::{attendance, pathway, referral},
    },
    error::SchedulerError,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Claims, Role},
    contracts::pathway::{AgeBand, PathwaySessionAttended},
    http::{ApiError, Violations},
    small_cells::Count,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakenAttendance {
    /// The referral (enrolment) ids of the young people present; everyone else enrolled is
    /// recorded absent.
    #[schema(max_items = 1000)]
    pub present: Vec<Uuid>,
}

/// One young person on the attendance sheet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attendee {
    pub referral_id: Uuid,
    pub name: String,
    pub age_band: AgeBand,
    /// Null until attendance is taken.
    pub present: Option<bool>,
}

/// A session's attendance: counts for everyone, names for whom may see them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendanceView {
    pub pathway_id: Uuid,
    pub session_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub taken: bool,
    pub enrolled: Count,
    pub present: Count,
    /// The operator's sheet (all enrolled) or the referring worker's own; absent otherwise.
    pub participants: Option<Vec<Attendee>>,
}

async fn sheet(
    conn: &impl ConnectionTrait,
    claims: &Claims,
    pathway_id: Uuid,
    session_id: Uuid,
) -> Result<AttendanceView, ApiError> {
    let pathway = find(conn, pathway_id).await?;
    access::require_read(conn, claims, &pathway).await?;
    let (occurrence, _) = session(conn, pathway_id, session_id).await?;
    let enrolled = referral::Entity::find()
        .filter(referral::Column::PathwayId.eq(pathway_id))
        .order_by_asc(referral::Column::Name)
        .all(conn)
        .await?;
    let marks = attendance::Entity::find()
        .filter(attendance::Column::OccurrenceId.eq(session_id))
        .all(conn)
        .await?;
    let runs = access::runs(claims, &pathway);
    let visible: Vec<Attendee> = enrolled
        .iter()
        .filter(|r| access::sees_name(claims, &pathway, r))
        .map(|r| Attendee {
            referral_id: r.id,
            name: r.name.clone(),
            age_band: AgeBand::parse(&r.age_band).unwrap_or(AgeBand::From18To24),
            present: marks
                .iter()
                .find(|m| m.referral_id == r.id)
                .map(|m| m.present),
        })
        .collect();
    Ok(AttendanceView {
        pathway_id,
        session_id,
        starts_at: occurrence.starts_at,
        ends_at: occurrence.ends_at,
        taken: !marks.is_empty(),
        enrolled: Count::of(enrolled.len() as u64),
        present: Count::of(marks.iter().filter(|m| m.present).count() as u64),
        participants: (runs || !visible.is_empty()).then_some(visible),
    })
}

/// A session's attendance as the caller may see it.
pub async fn read(
    state: &AppState,
    caller: &Caller,
    pathway_id: Uuid,
    session_id: Uuid,
) -> Result<AttendanceView, SchedulerError> {
    let claims = caller.require(&[Role::Admin, Role::Operator, Role::Evaluator])?;
    Ok(sheet(state.db.conn(), claims, pathway_id, session_id).await?)
}

/// Takes (or retakes) attendance at a session: the pathway's operator only.
pub async fn take(
    state: &AppState,
    caller: &Caller,
    pathway_id: Uuid,
    session_id: Uuid,
    body: TakenAttendance,
) -> Result<AttendanceView, SchedulerError> {
    let claims = caller.require(&[Role::Operator])?;
    let conn = state.db.conn();
    let pathway = find(conn, pathway_id).await?;
    if !access::runs(claims, &pathway) {
        return Err(
            ApiError::Forbidden("only the pathway's operator takes attendance".into()).into(),
        );
    }
    let (occurrence, _) = session(conn, pathway_id, session_id).await?;
    let unit = state.begin().await?;
    let enrolled = referral::Entity::find()
        .filter(referral::Column::PathwayId.eq(pathway_id))
        .all(&*unit)
        .await?;
    let known: HashSet<Uuid> = enrolled.iter().map(|r| r.id).collect();
    let mut v = Violations::new();
    let mut present = HashSet::new();
    v.check(
        body.present.len() <= 1000,
        "present",
        "must list at most 1000 young people",
    );
    for (i, id) in body.present.iter().enumerate() {
        v.check(
            known.contains(id),
            format!("present[{i}]"),
            "is not a young person enrolled in this pathway",
        );
        v.check(
            present.insert(*id),
            format!("present[{i}]"),
            "is listed twice",
        );
    }
    v.finish()?;
    let now = piazza_shared::clock::now();
    attendance::Entity::delete_many()
        .filter(attendance::Column::OccurrenceId.eq(session_id))
        .exec(&*unit)
        .await?;
    let rows: Vec<attendance::ActiveModel> = enrolled
        .iter()
        .map(|r| {
            attendance::ActiveModel::from(attendance::Model {
                occurrence_id: session_id,
                referral_id: r.id,
                pathway_id,
                present: present.contains(&r.id),
                recorded_by: claims.sub,
                recorded_at: now,
            })
        })
        .collect();
    if !rows.is_empty() {
        // Two saves of one sheet at the same moment on PostgreSQL: the second finds the first's
        // rows on insert. The person saving again sees the sheet as it stands, so say so.
        attendance::Entity::insert_many(rows)
            .exec_without_returning(&*unit)
            .await
            .map_err(|error| {
                if piazza_shared::db::is_unique_violation(&error) {
                    SchedulerError::from(ApiError::refused(
                        "attendance_changed",
                        "this session's attendance was saved by someone else at the same moment: reload the sheet and save again",
                        Vec::new(),
                    ))
                } else {
                    error.into()
                }
            })?;
    }
    let sheet_now: Vec<(&referral::Model, bool)> = enrolled
        .iter()
        .map(|r| (r, present.contains(&r.id)))
        .collect();
    let message = attended(&pathway, &occurrence, &sheet_now);
    unit.publish(&message, Some(session_id.to_string())).await?;
    let after = audit::json(&serde_json::json!({
        "pathway_id": pathway_id, "enrolled": enrolled.len(), "present": present.len(),
    }));
    unit.audit(claims, "attendance.take", session_id, None, after)
        .await?;
    unit.commit().await?;
    Ok(sheet(conn, claims, pathway_id, session_id).await?)
}

/// `pathway.session_attended` for the session `occurrence` of `pathway`: counts by age band
/// from its sheet (every young person enrolled when attendance was taken, and whether present).
pub(crate) fn attended(
    pathway: &pathway::Model,
    occurrence: &occurrences::Model,
    sheet: &[(&referral::Model, bool)],
) -> PathwaySessionAttended {
    let mut by_band: BTreeMap<AgeBand, u32> = BTreeMap::new();
    for (r, _) in sheet.iter().filter(|(_, present)| *present) {
        *by_band.entry(band_of(r)).or_default() += 1;
    }
    PathwaySessionAttended {
        version: 1,
        pathway_id: pathway.id,
        session_id: occurrence.id,
        starts_at: occurrence.starts_at,
        ends_at: occurrence.ends_at,
        funding_line: funding_of(pathway),
        enrolled: u32::try_from(sheet.len()).unwrap_or(u32::MAX),
        present: u32::try_from(sheet.iter().filter(|(_, p)| *p).count()).unwrap_or(u32::MAX),
        present_by_age_band: by_band,
    }
}
