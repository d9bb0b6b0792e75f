//! Enrolment by referral: a social worker (see [`super::access::may_refer`]) refers a young
//! person to a pathway, which enrols them; the pathway's operator records completion. Each step
//! is a `piazza.pathway.*` message with the age band and funding line and no name.

use super::{PathwayView, access, find, funding_of, view};
use crate::{
    db::pathways::{pathway, referral},
    domain::{TextRule, check_text},
    error::SchedulerError,
    state::AppState,
};
use chrono::Datelike;
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::pathway::{AgeBand, PathwayCompleted, PathwayEnrolled},
    http::{ApiError, Violations},
};
use sea_orm::{ActiveModelTrait, EntityTrait};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The youngest and oldest a young person referred to a pathway may be (by birth year).
pub const AGES: std::ops::RangeInclusive<i32> = 11..=35;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    /// The young person's name (seen only by the referring worker and the pathway's operator).
    #[schema(max_length = 200)]
    pub name: String,
    /// Their birth year: they are counted by age band. Ages 11 to 35.
    pub birth_year: i32,
    /// A phone number or email to reach them or their family.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub contact: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    /// Whether they completed the pathway (false takes a completion back).
    pub completed: bool,
}

/// Refers a young person to a pathway: 404 for an unknown pathway, 403 unless the caller is a
/// social worker, 422 naming the fields at fault.
pub async fn refer(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: NewReferral,
) -> Result<PathwayView, SchedulerError> {
    let claims = caller.require(&[Role::Admin, Role::Operator])?;
    let conn = state.db.conn();
    let pathway = find(conn, id).await?;
    if !access::may_refer(conn, claims).await? {
        return Err(ApiError::Forbidden(
            "referrals are made by Social policies or an accredited organisation".into(),
        )
        .into());
    }
    let now = piazza_shared::clock::now();
    let year = now.with_timezone(&state.settings.time_zone).year();
    let mut v = Violations::new();
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    let (oldest, youngest) = (year - AGES.end(), year - AGES.start());
    v.check(
        (oldest..=youngest).contains(&body.birth_year),
        "birth_year",
        format!("must be between {oldest} and {youngest}"),
    );
    let contact = body
        .contact
        .as_deref()
        .map(|c| {
            check_text(
                &mut v,
                "contact",
                c,
                TextRule {
                    required: false,
                    max: 200,
                },
            )
        })
        .filter(|c| !c.is_empty());
    let note = check_text(&mut v, "note", &body.note, TextRule::NOTE);
    v.finish()?;
    let band = AgeBand::of(body.birth_year, year);
    let model = referral::Model {
        id: Uuid::now_v7(),
        pathway_id: id,
        name,
        birth_year: body.birth_year,
        age_band: band.as_str().into(),
        contact,
        note,
        referred_by: claims.sub,
        referrer_email: claims.email.clone(),
        referrer_organisation_id: (claims.role == Role::Operator)
            .then_some(claims.org)
            .flatten(),
        completed_at: None,
        created_at: now,
    };
    let unit = state.begin().await?;
    referral::Entity::insert(referral::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    unit.publish(&enrolled(&pathway, &model), Some(id.to_string()))
        .await?;
    // The log names the enrolment, never the young person.
    let after = audit::json(&serde_json::json!({
        "pathway_id": id, "age_band": band.as_str(),
    }));
    unit.audit(claims, "referral.create", model.id, None, after)
        .await?;
    unit.commit().await?;
    tracing::info!(pathway_id = %id, referral_id = %model.id, "young person referred");
    Ok(view(conn, claims, pathway).await?)
}

/// The band stored at referral (an unknown code reads as the commonest band).
pub(crate) fn band_of(row: &referral::Model) -> AgeBand {
    AgeBand::parse(&row.age_band).unwrap_or(AgeBand::From18To24)
}

/// `pathway.enrolled` for the referral `row` of `pathway`.
pub(crate) fn enrolled(pathway: &pathway::Model, row: &referral::Model) -> PathwayEnrolled {
    PathwayEnrolled {
        version: 1,
        pathway_id: pathway.id,
        enrolment_id: row.id,
        age_band: band_of(row),
        funding_line: funding_of(pathway),
        organisation_id: pathway.organisation_id,
        enrolled_at: row.created_at,
    }
}

/// `pathway.completed` for the referral `row`, if its completion is recorded.
pub(crate) fn completed(
    pathway: &pathway::Model,
    row: &referral::Model,
) -> Option<PathwayCompleted> {
    Some(PathwayCompleted {
        version: 1,
        pathway_id: pathway.id,
        enrolment_id: row.id,
        age_band: band_of(row),
        funding_line: funding_of(pathway),
        completed_at: row.completed_at?,
    })
}

/// Records (or takes back) a young person's completion: the pathway's operator only.
pub async fn complete(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    referral_id: Uuid,
    body: Completion,
) -> Result<PathwayView, SchedulerError> {
    let claims = caller.require(&[Role::Operator])?;
    let conn = state.db.conn();
    let pathway = find(conn, id).await?;
    if !access::runs(claims, &pathway) {
        return Err(
            ApiError::Forbidden("only the pathway's operator records completion".into()).into(),
        );
    }
    let unit = state.begin().await?;
    let Some(mut row) = referral::Entity::find_by_id(referral_id)
        .one(&*unit)
        .await?
        .filter(|r| r.pathway_id == id)
    else {
        return Err(ApiError::NotFound("referral").into());
    };
    let now = piazza_shared::clock::now();
    let before = audit::json(&serde_json::json!({ "completed": row.completed_at.is_some() }));
    let newly = body.completed && row.completed_at.is_none();
    row.completed_at = match (body.completed, row.completed_at) {
        (true, Some(at)) => Some(at),
        (true, None) => Some(now),
        (false, _) => None,
    };
    referral::ActiveModel::from(row.clone())
        .reset_all()
        .update(&*unit)
        .await?;
    if newly && let Some(message) = completed(&pathway, &row) {
        unit.publish(&message, Some(id.to_string())).await?;
    }
    let after = audit::json(&serde_json::json!({ "completed": body.completed }));
    unit.audit(claims, "referral.completion", row.id, before, after)
        .await?;
    unit.commit().await?;
    Ok(view(conn, claims, pathway).await?)
}
