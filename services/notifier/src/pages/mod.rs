//! The notifier's web pages, each page context → `ops` → template: the outreach indicators, the subscribe form, which goes through the
//! same double opt-in as `POST /api/v1/subscribers`, and the pages the links in emails open
//! (confirm, preferences, unsubscribe).

mod links;
mod outreach;
mod state;
mod subscribe;

use crate::state::AppState;
use axum::{Router, routing::get};
use piazza_shared::web::Templates;
use state::PageState;

const TEMPLATES: [(&str, &str); 5] = [
    (
        "subscribe.html",
        include_str!("../../templates/subscribe.html"),
    ),
    (
        "outreach.html",
        include_str!("../../templates/outreach.html"),
    ),
    ("confirm.html", include_str!("../../templates/confirm.html")),
    (
        "preferences.html",
        include_str!("../../templates/preferences.html"),
    ),
    (
        "unsubscribe.html",
        include_str!("../../templates/unsubscribe.html"),
    ),
];

pub fn router(app: AppState) -> anyhow::Result<Router> {
    let state = PageState {
        app,
        templates: Templates::new(&TEMPLATES)?,
    };
    Ok(Router::new()
        .route("/subscribe", get(subscribe::form).post(subscribe::submit))
        .route("/admin/indicators/outreach", get(outreach::page))
        .route("/admin/indicators/outreach.csv", get(outreach::csv))
        .route(
            "/subscriptions/confirm",
            get(links::confirm_form).post(links::confirm),
        )
        .route(
            "/subscriptions/manage",
            get(links::manage).post(links::save),
        )
        .route(
            "/subscriptions/unsubscribe",
            get(links::unsubscribe_form).post(links::unsubscribe),
        )
        .with_state(state))
}
