//! The notifier's HTTP API: the public subscription API and the outreach report, each handler
//! extract → `ops` → JSON (the pages reached from emails are in `pages`).

mod reports;
mod subscribers;

use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router(state: AppState) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(
            subscribers::subscribe,
            subscribers::erase,
            subscribers::update
        ))
        .routes(routes!(subscribers::export))
        .routes(routes!(reports::outreach))
        .with_state(state)
}
