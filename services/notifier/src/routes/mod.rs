//! The notifier's HTTP routes: the public subscription API, the pages reached from emails, and
//! the outreach report.

mod pages;
pub mod preferences;
pub mod reports;
pub mod subscribers;
pub mod subscriptions;

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
        .routes(routes!(subscriptions::confirm))
        .routes(routes!(subscriptions::manage, preferences::save))
        .routes(routes!(reports::outreach))
        .routes(routes!(
            subscriptions::unsubscribe_page,
            subscriptions::unsubscribe
        ))
        .with_state(state)
}
