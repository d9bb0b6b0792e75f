//! Organisations accredited to refer young people to pathways: data that administrators in
//! Social policies manage, read by [`super::access::may_refer`].

use super::require_owner;
use crate::{
    db::pathways::accreditation,
    domain::{TextRule, check_text},
    error::SchedulerError,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    http::{ApiError, Violations},
};
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccreditation {
    #[schema(max_length = 200)]
    pub organisation_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccreditationView {
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub granted_at: DateTime<Utc>,
}

fn accreditation_view(m: accreditation::Model) -> AccreditationView {
    AccreditationView {
        organisation_id: m.organisation_id,
        organisation_name: m.organisation_name,
        granted_at: m.granted_at,
    }
}

/// The accredited organisations (administrators).
pub async fn list(
    state: &AppState,
    caller: &Caller,
) -> Result<Vec<AccreditationView>, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let rows = accreditation::Entity::find()
        .order_by_asc(accreditation::Column::OrganisationName)
        .all(state.db.conn())
        .await?;
    Ok(rows.into_iter().map(accreditation_view).collect())
}

/// Accredits an organisation (or renames it): administrators in Social policies.
pub async fn grant(
    state: &AppState,
    caller: &Caller,
    organisation_id: Uuid,
    body: NewAccreditation,
) -> Result<AccreditationView, SchedulerError> {
    let claims = require_owner(caller)?;
    let mut v = Violations::new();
    let organisation_name = check_text(
        &mut v,
        "organisation_name",
        &body.organisation_name,
        TextRule::NAME,
    );
    v.finish()?;
    let unit = state.begin().await?;
    let before = accreditation::Entity::find_by_id(organisation_id)
        .one(&*unit)
        .await?;
    let model = accreditation::Model {
        organisation_id,
        organisation_name,
        granted_by: claims.sub,
        granted_at: before
            .as_ref()
            .map(|b| b.granted_at)
            .unwrap_or_else(piazza_shared::clock::now),
    };
    if before.is_some() {
        accreditation::ActiveModel::from(model.clone())
            .reset_all()
            .update(&*unit)
            .await?;
    } else {
        accreditation::Entity::insert(accreditation::ActiveModel::from(model.clone()))
            .exec_without_returning(&*unit)
            .await?;
    }
    let before = before.map(accreditation_view).and_then(|b| audit::json(&b));
    let after = audit::json(&accreditation_view(model.clone()));
    unit.audit(
        claims,
        "accreditation.grant",
        organisation_id,
        before,
        after,
    )
    .await?;
    unit.commit().await?;
    Ok(accreditation_view(model))
}

/// Withdraws an accreditation: 404 when the organisation has none, then administrators in
/// Social policies only.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    organisation_id: Uuid,
) -> Result<(), SchedulerError> {
    caller.require(&[Role::Admin])?;
    let unit = state.begin().await?;
    let Some(before) = accreditation::Entity::find_by_id(organisation_id)
        .one(&*unit)
        .await?
    else {
        return Err(ApiError::NotFound("accreditation").into());
    };
    let claims = require_owner(caller)?;
    accreditation::Entity::delete_by_id(organisation_id)
        .exec(&*unit)
        .await?;
    let before = audit::json(&accreditation_view(before));
    unit.audit(
        claims,
        "accreditation.withdraw",
        organisation_id,
        before,
        None,
    )
    .await?;
    unit.commit().await?;
    Ok(())
}
