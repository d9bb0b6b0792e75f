//! The one style sheet and the forms' challenge solver (`challenge.js`, see
//! [`super::challenge`]), compiled in and served by every listener under versioned addresses, so
//! browsers keep them for a year and fetch them again only when they change.

use axum::{
    Router,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::get,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const CSS: &str = include_str!("../../templates/piazza.css");
const CHALLENGE_JS: &str = include_str!("../../templates/challenge.js");

fn versioned(path: &str, content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let version = crate::hex::lower(&digest[..6]);
    format!("{path}?v={version}")
}

/// The address pages link the style sheet by: its content's hash makes every change a new URL.
pub fn css_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| versioned("/assets/piazza.css", CSS))
}

/// The address of the forms' challenge solver, versioned as the style sheet is.
pub fn challenge_js_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| versioned("/assets/challenge.js", CHALLENGE_JS))
}

async fn css() -> impl IntoResponse {
    asset("text/css; charset=utf-8", CSS)
}

async fn challenge_js() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", CHALLENGE_JS)
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
}

/// `/assets/piazza.css` and `/assets/challenge.js`, mounted once per listener by the runtime.
pub fn router() -> Router {
    Router::new()
        .route("/assets/piazza.css", get(css))
        .route("/assets/challenge.js", get(challenge_js))
}
