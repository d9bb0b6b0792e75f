//! The scheduler's web pages: the public calendar (`/`, month, week and list, filtered by
//! category and age), each event's page with its registration form and "add to calendar"
//! links, the page a registration's cancel link opens, the operator's proposals and answers to
//! calls, and the administrator's events to publish and season planner.

mod admin;
mod calendar;
mod calls;
mod cancel;
mod event;
mod indicators;
mod propose;
mod seasons;
mod state;

pub use state::PageState;

use crate::state::AppState;
use axum::{
    Router,
    routing::{get, post},
};
use piazza_shared::web::Templates;

const TEMPLATES: [(&str, &str); 10] = [
    ("calls.html", include_str!("../../templates/calls.html")),
    ("cancel.html", include_str!("../../templates/cancel.html")),
    ("call.html", include_str!("../../templates/call.html")),
    (
        "indicators.html",
        include_str!("../../templates/indicators.html"),
    ),
    ("seasons.html", include_str!("../../templates/seasons.html")),
    ("planner.html", include_str!("../../templates/planner.html")),
    ("propose.html", include_str!("../../templates/propose.html")),
    (
        "calendar.html",
        include_str!("../../templates/calendar.html"),
    ),
    ("event.html", include_str!("../../templates/event.html")),
    (
        "admin_events.html",
        include_str!("../../templates/admin_events.html"),
    ),
];

pub fn router(app: AppState) -> anyhow::Result<Router> {
    let state = PageState {
        app,
        templates: Templates::new(&TEMPLATES)?,
    };
    Ok(Router::new()
        .route("/", get(calendar::page))
        .route("/events/{id}", get(event::page))
        .route("/events/{id}/register", post(event::register))
        .route(
            "/registrations/{id}/cancel",
            get(cancel::form).post(cancel::cancel),
        )
        .route("/admin/events", get(admin::events))
        .route("/admin/events/{id}/publish", post(admin::publish))
        .route("/admin/seasons", get(seasons::list))
        .route("/admin/seasons/{id}", get(seasons::planner))
        .route("/admin/seasons/{id}/publish", post(seasons::publish))
        .route("/admin/indicators", get(indicators::page))
        .route("/admin/indicators.csv", get(indicators::csv))
        .route("/calls", get(calls::list))
        .route("/calls/{id}", get(calls::form).post(calls::submit))
        .route("/propose", get(propose::form).post(propose::submit))
        .with_state(state))
}
