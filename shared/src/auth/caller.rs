//! Who is calling: the claims of a verified bearer token, and the checks handlers make on them.

use super::keys::Keys;
use crate::http::ApiError;
use axum::{
    extract::{FromRef, FromRequestParts, OptionalFromRequestParts},
    http::{header, request::Parts},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The purpose API tokens are signed for.
pub const API_TOKEN: &str = "api";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The Comune's staff: everything.
    Admin,
    /// A cultural operator, acting for one organisation.
    Operator,
    /// External monitoring: aggregates only.
    Evaluator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Evaluator => "evaluator",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "evaluator" => Some(Role::Evaluator),
            _ => None,
        }
    }
}

/// What an API token says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The account id.
    pub sub: Uuid,
    pub email: String,
    pub role: Role,
    /// The operator's organisation.
    #[serde(default)]
    pub org: Option<Uuid>,
    #[serde(default)]
    pub org_name: Option<String>,
    /// The session (one login) the token belongs to; a logout ends it.
    #[serde(default)]
    pub sid: Option<Uuid>,
    /// The account's session version when the token was issued: a password, role or
    /// organisation change, or disabling the account, raises it and ends older tokens.
    #[serde(default)]
    pub sv: u32,
}

/// An authenticated caller. Extracting it answers 401 when the token is missing or invalid.
#[derive(Debug, Clone)]
pub struct Caller(pub Claims);

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&Claims, ApiError> {
        if roles.contains(&self.0.role) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the role {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.0.role == Role::Admin
    }

    /// 403 unless the caller is an admin or acts for `organisation`.
    pub fn require_owner(&self, organisation: Option<Uuid>) -> Result<(), ApiError> {
        if self.is_admin() || (self.0.org.is_some() && self.0.org == organisation) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "this belongs to another organisation".into(),
            ))
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    Keys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::Unauthorized("send Authorization: Bearer <token>".into()))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization scheme must be Bearer".into())
            })?;
        let keys = Keys::from_ref(state);
        keys.verify_session(token.trim(), crate::clock::now())
            .map(Caller)
            .map_err(|e| ApiError::Unauthorized(format!("invalid token: {e}")))
    }
}

/// On public routes: no `Authorization` header means an anonymous caller (`None`); a header that
/// does not verify is still a 401.
impl<S> OptionalFromRequestParts<S> for Caller
where
    S: Send + Sync,
    Keys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(None);
        }
        <Caller as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}
