//! The notifier's HTTP routes: the public subscription API and the pages reached from emails.

mod pages;
pub mod subscribers;
pub mod subscriptions;

use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router(state: AppState) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(subscribers::subscribe, subscribers::erase))
        .routes(routes!(subscribers::export))
        .routes(routes!(subscriptions::confirm))
        .routes(routes!(subscriptions::manage))
        .routes(routes!(
            subscriptions::unsubscribe_page,
            subscriptions::unsubscribe
        ))
        .with_state(state)
}
