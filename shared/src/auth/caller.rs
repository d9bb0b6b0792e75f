//! Who is calling: the claims of a verified bearer token, and the checks handlers make on them.

pub use super::claims::{API_TOKEN, Claims, Role};

use super::keys::Keys;
use crate::http::ApiError;
use axum::{
    extract::{FromRef, FromRequestParts, OptionalFromRequestParts},
    http::{header, request::Parts},
};
use uuid::Uuid;

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
