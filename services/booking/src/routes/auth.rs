//! `POST /api/v1/auth/token` and `/logout`: trade an email and password for a bearer token, and
//! end its session, over [`crate::ops::sessions`].

use crate::{ops::sessions, state::AppState};
use axum::extract::State;
use axum::http::StatusCode;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, LoginLimit, Violations},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Logs in.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "auth",
    security(()),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "A bearer token", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = piazza_shared::http::Problem),
        (status = 422, description = "Missing fields", body = piazza_shared::http::Problem),
        (status = 429, description = "Too many attempts for this account or from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn issue_token(
    State(state): State<AppState>,
    limit: LoginLimit,
    Json(body): Json<TokenRequest>,
) -> Result<axum::Json<TokenResponse>, ApiError> {
    let mut violations = Violations::new();
    violations.check(!body.email.trim().is_empty(), "email", "is required");
    violations.check(!body.password.is_empty(), "password", "is required");
    violations.check(body.password.len() <= 1024, "password", "is too long");
    violations.finish()?;
    limit.check_account(&body.email).await?;
    let Some(claims) = sessions::authenticate(&state, &body.email, &body.password).await? else {
        limit.failed(&body.email).await;
        return Err(ApiError::Unauthorized("wrong email or password".into()));
    };
    limit.succeeded(&body.email).await;
    let sessions::Token { token, ttl } = sessions::issue(&state, &claims);
    tracing::info!(account = %claims.sub, role = claims.role.as_str(), "token issued");
    Ok(axum::Json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: ttl.num_seconds(),
    }))
}

/// Logs out: the session of this token ends, at every service (see the README on how soon).
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = ["admin", "operator", "evaluator"])),
    responses(
        (status = 204, description = "The token is no longer accepted"),
        (status = 401, description = "No valid token", body = piazza_shared::http::Problem),
    )
)]
pub async fn log_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    sessions::log_out(&state, &caller.0).await?;
    tracing::info!(account = %caller.0.sub, "logged out");
    Ok(StatusCode::NO_CONTENT)
}
