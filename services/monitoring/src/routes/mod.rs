//! The monitoring's HTTP API, each handler extract → `ops` → JSON. Each area is a module of its
//! own, added to [`api`] with one `.routes(…)` line.

mod indicators;

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
        .routes(routes!(indicators::list, indicators::create))
        .routes(routes!(indicators::values))
        .routes(routes!(indicators::funding_shares))
        .routes(routes!(indicators::export_csv))
        .routes(routes!(indicators::export_xlsx))
        .routes(routes!(indicators::export_json))
        .routes(routes!(
            indicators::get,
            indicators::update,
            indicators::delete
        ))
}
