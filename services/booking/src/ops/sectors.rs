//! The intersectoral working group: the Comune's sectors (data, seeded with the strategy's
//! eight; an administrator may add one) and which staff accounts belong to them. Membership is
//! carried in the account's token ([`piazza_shared::auth::Claims::sectors`]), so changing an
//! account's sectors ends its older sessions as a role change does (the session version rises
//! and `piazza.account.sessions_ended` says so with the reason `role_changed`).

use super::accounts::end;
use crate::{
    db::{accounts as account_rows, sectors},
    error::BookingError,
    state::AppState,
};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::{
        account::{SessionsEnded, SessionsEndedReason},
        sector::is_code,
    },
    http::{ApiError, Violations},
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A sector of the Comune.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SectorView {
    /// Its stable code, e.g. `mobility_civil_protection`.
    pub code: String,
    pub name_it: String,
    pub name_en: String,
    /// The staff accounts that belong to it.
    pub members: Vec<Uuid>,
}

/// A sector to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSector {
    /// 2 to 40 characters of `a-z`, digits and `_`, starting with a letter.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub code: String,
    #[schema(max_length = 200, pattern = "\\S")]
    pub name_it: String,
    #[schema(max_length = 200, pattern = "\\S")]
    pub name_en: String,
}

/// The sectors an account belongs to, all of them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Membership {
    /// Sector codes; an empty list takes the account out of every sector.
    pub sectors: Vec<String>,
}

/// An account's sectors after a change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MembershipView {
    pub account_id: Uuid,
    pub sectors: Vec<String>,
}

/// Every sector with its members, by code (administrators).
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<SectorView>, BookingError> {
    caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    let memberships = sectors::memberships(conn).await?;
    Ok(sectors::all(conn)
        .await?
        .into_iter()
        .map(|s| SectorView {
            members: memberships
                .iter()
                .filter(|(_, code)| *code == s.code)
                .map(|(account, _)| *account)
                .collect(),
            code: s.code,
            name_it: s.name_it,
            name_en: s.name_en,
        })
        .collect())
}

/// The 422 of a name.
fn check_name(v: &mut Violations, field: &str, name: &str) {
    v.check(!name.trim().is_empty(), field, "must not be empty");
    v.check(
        name.trim().chars().count() <= 200,
        field,
        "must be at most 200 characters",
    );
}

/// Adds a sector (administrators); its code must be new.
pub async fn add(
    state: &AppState,
    caller: &Caller,
    body: NewSector,
) -> Result<SectorView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let mut v = Violations::new();
    v.check(
        is_code(&body.code),
        "code",
        "must be 2 to 40 characters of a-z, digits and _, starting with a letter",
    );
    check_name(&mut v, "name_it", &body.name_it);
    check_name(&mut v, "name_en", &body.name_en);
    v.finish()?;
    let unit = state.begin().await?;
    if sectors::sector::Entity::find_by_id(body.code.clone())
        .one(&*unit)
        .await?
        .is_some()
    {
        return Err(ApiError::field("code", "a sector has this code").into());
    }
    let model = sectors::sector::Model {
        code: body.code.clone(),
        name_it: body.name_it.trim().to_string(),
        name_en: body.name_en.trim().to_string(),
    };
    sectors::sector::Entity::insert(sectors::sector::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let view = SectorView {
        code: model.code,
        name_it: model.name_it,
        name_en: model.name_en,
        members: Vec::new(),
    };
    let after = serde_json::to_value(&view).ok();
    unit.audit(&claims, "sector.create", &view.code, None, after)
        .await?;
    unit.commit().await?;
    Ok(view)
}

/// The sector codes of `codes` that are not known sectors (`field` names them in the 422),
/// and the list deduplicated.
pub async fn known(
    conn: &impl sea_orm::ConnectionTrait,
    field: &str,
    codes: &[String],
) -> Result<Vec<String>, BookingError> {
    let all: Vec<String> = sectors::all(conn)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let unknown: Vec<&str> = codes
        .iter()
        .filter(|c| !all.contains(c))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(
            ApiError::field(field, format!("unknown sector(s): {}", unknown.join(", "))).into(),
        );
    }
    let mut codes = codes.to_vec();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// Sets the sectors staff account `id` belongs to (administrators), ending its sessions so its
/// next token carries them.
pub async fn set_membership(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: Membership,
) -> Result<MembershipView, BookingError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(account) = account_rows::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("account").into());
    };
    if account.role != Role::Admin.as_str() && !body.sectors.is_empty() {
        return Err(ApiError::field("sectors", "only staff accounts belong to sectors").into());
    }
    let codes = known(&*unit, "sectors", &body.sectors).await?;
    let before = sectors::of_account(&*unit, id).await?;
    sectors::set(&*unit, id, &codes).await?;
    let version = account.session_version.saturating_add(1);
    let mut active = account_rows::ActiveModel::from(account);
    active.session_version = Set(version);
    active.update(&*unit).await?;
    let ended = SessionsEnded {
        version: 1,
        account_id: id,
        session_version: u32::try_from(version).unwrap_or(u32::MAX),
        session_id: None,
        session_expires_at: None,
        reason: SessionsEndedReason::RoleChanged,
    };
    end(&unit, &ended).await?;
    unit.audit(
        &claims,
        "account.sectors",
        id,
        Some(serde_json::json!({ "sectors": before })),
        Some(serde_json::json!({ "sectors": codes })),
    )
    .await?;
    unit.commit().await?;
    state.keys.revocations().apply(&ended);
    tracing::info!(account = %id, actor = %claims.sub, sectors = ?codes, "account sectors set");
    Ok(MembershipView {
        account_id: id,
        sectors: codes,
    })
}
