//! The notifier's HTTP routes: the public subscription API and the outreach report (the pages
//! reached from emails are in `pages`).

pub mod preferences;
pub mod reports;
pub mod subscribers;

use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router(state: AppState) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(
            subscribers::subscribe,
            subscribers::erase,
            preferences::update
        ))
        .routes(routes!(subscribers::export))
        .routes(routes!(reports::outreach))
        .with_state(state)
}
