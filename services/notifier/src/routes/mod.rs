//! The notifier's HTTP API: the public subscription API and the outreach report, each handler
//! extract → `ops` → JSON (the pages reached from emails are in `pages`).

mod reports;
mod subscribers;

use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The service's API, routed and documented.
pub fn router(state: AppState) -> OpenApiRouter {
    api().with_state(state)
}

/// The routes before they are given the state: [`crate::SERVICE`] reads the document from them
/// without building the service, so another service can serve the whole deployment's document.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            subscribers::subscribe,
            subscribers::erase,
            subscribers::update
        ))
        .routes(routes!(subscribers::export))
        .routes(routes!(reports::outreach))
}
