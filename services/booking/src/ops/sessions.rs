//! Sessions: logging in for a signed token (the API's bearer token and the pages' session cookie
//! are the same token) and logging out, which ends the session at every service.

use super::accounts;
use crate::{error::BookingError, state::AppState};
use chrono::Duration;
use piazza_shared::auth::{Claims, caller::API_TOKEN};

/// A token just signed, and how long it lasts.
pub struct Token {
    pub token: String,
    pub ttl: Duration,
}

/// The claims of the account with these credentials, or `None` when they do not match.
pub async fn authenticate(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<Option<Claims>, BookingError> {
    Ok(accounts::authenticate(&state.db, email, password).await?)
}

/// Signs a token for `claims`, valid for the configured time.
pub fn issue(state: &AppState, claims: &Claims) -> Token {
    let ttl = Duration::minutes(i64::from(state.settings.auth.token_ttl_minutes));
    let token = state
        .keys
        .sign(API_TOKEN, claims, piazza_shared::clock::now() + ttl);
    Token { token, ttl }
}

/// Ends the session `claims` belong to, here at once and at the other services through the
/// `sessions_ended` message.
pub async fn log_out(state: &AppState, claims: &Claims) -> Result<(), BookingError> {
    let expires_at = piazza_shared::clock::now()
        + Duration::minutes(i64::from(state.settings.auth.token_ttl_minutes));
    if let Some(ended) = accounts::log_out(&state.db, &state.outbox, claims, expires_at).await? {
        state.keys.revocations().apply(&ended);
    }
    Ok(())
}
