//! The scheduler's HTTP routes, one file per resource.

pub mod events;
pub mod seasons;
mod views;

use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

pub use views::{EventView, OccurrenceItem, SeasonView};

pub fn router(state: AppState) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(seasons::create, seasons::list))
        .routes(routes!(seasons::get_one))
        .routes(routes!(events::create, events::list))
        .routes(routes!(events::get_one))
        .routes(routes!(events::publish))
        .routes(routes!(events::cancel))
        .with_state(state)
}
