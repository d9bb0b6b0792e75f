//! Who may do what with a pathway, and who sees the young people's names. Names are seen by the
//! pathway's operator (an operator of the organisation that runs it: all of them) and by the
//! worker who referred someone (those they referred); everyone else — other administrators,
//! Social policies included, and evaluators — reads counts only.

use crate::db::pathways::{accreditation, pathway, referral};
use piazza_shared::{
    auth::{Claims, Role},
    contracts::sector::SOCIAL_POLICIES,
    http::ApiError,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// Whether the caller is an operator of the organisation that runs the pathway.
pub fn runs(claims: &Claims, pathway: &pathway::Model) -> bool {
    claims.role == Role::Operator && claims.org == Some(pathway.organisation_id)
}

/// Whether the caller may see this young person's name.
pub fn sees_name(claims: &Claims, pathway: &pathway::Model, referral: &referral::Model) -> bool {
    runs(claims, pathway) || referral.referred_by == claims.sub
}

/// Whether the caller is an operator of an organisation accredited to refer.
pub async fn accredited(conn: &impl ConnectionTrait, claims: &Claims) -> Result<bool, DbErr> {
    match (claims.role, claims.org) {
        (Role::Operator, Some(org)) => Ok(accreditation::Entity::find_by_id(org)
            .one(conn)
            .await?
            .is_some()),
        _ => Ok(false),
    }
}

/// Whether the caller is a social worker: an administrator in Social policies, or an operator
/// of an accredited organisation.
pub async fn may_refer(conn: &impl ConnectionTrait, claims: &Claims) -> Result<bool, DbErr> {
    if claims.role == Role::Admin {
        return Ok(claims.in_sector(SOCIAL_POLICIES));
    }
    accredited(conn, claims).await
}

/// Whether the caller may read the pathway at all (its counts): administrators and evaluators
/// always, operators when they run it or may refer.
pub fn may_read(claims: &Claims, pathway: &pathway::Model, accredited: bool) -> bool {
    match claims.role {
        Role::Admin | Role::Evaluator => true,
        Role::Operator => accredited || runs(claims, pathway),
    }
}

/// 403 unless [`may_read`].
pub async fn require_read(
    conn: &impl ConnectionTrait,
    claims: &Claims,
    pathway: &pathway::Model,
) -> Result<(), ApiError> {
    if may_read(claims, pathway, accredited(conn, claims).await?) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only its operator and accredited organisations read a pathway".into(),
        ))
    }
}
