//! The one style sheet, compiled in and served by every listener under a versioned address, so
//! browsers keep it for a year and fetch it again only when it changes.

use axum::{
    Router,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::get,
};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

const CSS: &str = include_str!("../../templates/piazza.css");

/// The address pages link the style sheet by: its content's hash makes every change a new URL.
pub fn css_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let digest = Sha256::digest(CSS.as_bytes());
        let version: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        format!("/assets/piazza.css?v={version}")
    })
}

async fn css() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        CSS,
    )
}

/// `/assets/piazza.css`, mounted once per listener by the runtime.
pub fn router() -> Router {
    Router::new().route("/assets/piazza.css", get(css))
}
