//! The monitoring's web pages, each page context → `ops` → template: the indicators' values
//! by quarter or season with their downloads (`/admin/monitoring`, administrators and
//! evaluators) and the indicator framework (`/admin/monitoring/indicators`, administrators).

mod framework;
mod state;
mod values;

use crate::state::AppState;
use axum::{
    Router,
    routing::{get, post},
};
use piazza_shared::web::Templates;
use state::PageState;

const TEMPLATES: [(&str, &str); 2] = [
    (
        "monitoring.html",
        include_str!("../../templates/monitoring.html"),
    ),
    (
        "monitoring_indicators.html",
        include_str!("../../templates/monitoring_indicators.html"),
    ),
];

pub fn router(app: AppState) -> anyhow::Result<Router> {
    let state = PageState {
        app,
        templates: Templates::new(&TEMPLATES)?,
    };
    Ok(Router::new()
        .route("/admin/monitoring", get(values::page))
        .route("/admin/monitoring/export.csv", get(values::csv))
        .route("/admin/monitoring/export.xlsx", get(values::xlsx))
        .route("/admin/monitoring/export.json", get(values::json))
        .route(
            "/admin/monitoring/indicators",
            get(framework::page).post(framework::add),
        )
        .route(
            "/admin/monitoring/indicators/{id}",
            get(framework::edit).post(framework::save),
        )
        .route(
            "/admin/monitoring/indicators/{id}/delete",
            post(framework::remove),
        )
        .with_state(state))
}
