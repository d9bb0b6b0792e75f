//! The session of an operator or administrator using the pages: a cookie holding the same
//! signed token the API hands out (HttpOnly, SameSite=Lax, Secure behind https), and the CSRF
//! defence for the forms they post — the request must not come from another site (read by
//! [`crate::http::origin`]), and must carry a token bound to the session cookie, which another
//! site can neither read nor forge.

use super::cookies::cookie;
use crate::auth::{Claims, Keys};
use axum::http::{HeaderMap, HeaderValue};
use chrono::Duration;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE: &str = "piazza_session";
/// The purpose CSRF tokens are signed for.
const CSRF: &str = "csrf";
/// How long a form stays postable after it was shown.
const CSRF_TTL_HOURS: i64 = 12;

/// `Set-Cookie` for a new session holding `token` for `ttl`.
pub fn set_cookie(token: &str, ttl: Duration, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        ttl.num_seconds().max(0)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that ends the session.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("piazza_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The signed-in account, when the cookie holds a valid, unexpired token.
pub fn viewer(headers: &HeaderMap, keys: &Keys) -> Option<(Claims, String)> {
    let token = cookie(headers, COOKIE)?;
    let claims = keys.verify_session(token, crate::clock::now()).ok()?;
    Some((claims, token.to_string()))
}

fn fingerprint(session_token: &str) -> String {
    crate::hex::lower(&Sha256::digest(session_token.as_bytes())[..16])
}

/// The token a form of this session carries in its hidden `csrf` field.
pub fn csrf_token(keys: &Keys, session_token: &str) -> String {
    keys.sign(
        CSRF,
        &fingerprint(session_token),
        crate::clock::now() + Duration::hours(CSRF_TTL_HOURS),
    )
}

/// Whether `token` was issued for this session and has not expired.
pub fn csrf_valid(keys: &Keys, session_token: &str, token: &str) -> bool {
    keys.verify::<String>(CSRF, token, crate::clock::now())
        .is_ok_and(|bound| bound == fingerprint(session_token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csrf_token_belongs_to_its_session_only() {
        let keys = Keys::new("a-test-secret-of-at-least-thirty-two-chars", &[]);
        let token = csrf_token(&keys, "session-a");
        assert!(csrf_valid(&keys, "session-a", &token));
        assert!(!csrf_valid(&keys, "session-b", &token));
        assert!(!csrf_valid(&keys, "session-a", "v1.forged"));
    }
}
