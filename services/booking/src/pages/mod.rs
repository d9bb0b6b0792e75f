//! The booking service's web pages: logging in and out, and the operator's and administrator's
//! pages about spaces and bookings. They call the same handlers as the API, so the rules, the
//! 422 messages and the 409 conflicts are the API's own.

mod admin;
mod indicators;
mod login;
mod operator;
mod rows;

use crate::state::AppState;
use axum::{
    Router,
    extract::FromRef,
    routing::{get, post},
};
use piazza_shared::{auth::Keys, web::Templates};

const TEMPLATES: [(&str, &str); 7] = [
    (
        "utilization.html",
        include_str!("../../templates/utilization.html"),
    ),
    ("login.html", include_str!("../../templates/login.html")),
    ("find.html", include_str!("../../templates/find.html")),
    (
        "booking_new.html",
        include_str!("../../templates/booking_new.html"),
    ),
    (
        "bookings.html",
        include_str!("../../templates/bookings.html"),
    ),
    ("queue.html", include_str!("../../templates/queue.html")),
    ("spaces.html", include_str!("../../templates/spaces.html")),
];

#[derive(Clone, Debug)]
pub struct PageState {
    pub app: AppState,
    pub templates: Templates,
}

impl FromRef<PageState> for Keys {
    fn from_ref(state: &PageState) -> Keys {
        state.app.keys.clone()
    }
}

pub fn router(app: AppState) -> anyhow::Result<Router> {
    let state = PageState {
        app,
        templates: Templates::new(&TEMPLATES)?,
    };
    Ok(Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/spaces/find", get(operator::find))
        .route("/bookings", get(operator::mine))
        .route(
            "/bookings/new",
            get(operator::new_form).post(operator::request),
        )
        .route("/admin/bookings", get(admin::queue))
        .route("/admin/bookings/{id}/approve", post(admin::approve))
        .route("/admin/bookings/{id}/reject", post(admin::reject))
        .route("/admin/spaces", get(admin::catalogue))
        .route("/admin/indicators/spaces", get(indicators::page))
        .route("/admin/indicators/spaces.csv", get(indicators::csv))
        .with_state(state))
}
