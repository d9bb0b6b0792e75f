//! The monitoring's web pages, each page context → `ops` → template. Each area is a module of its
//! own, merged into [`router`] with one `.merge(…)` line.

use crate::state::AppState;
use axum::Router;

pub fn router(app: AppState) -> anyhow::Result<Router> {
    Ok(Router::new().with_state(app))
}
