//! The scheduler's web pages: the public calendar (`/`, month, week and list, filtered by
//! category and age), each event's page with its registration form and "add to calendar"
//! links, the page a registration's cancel link opens, the operator's proposals and answers to
//! calls, and the administrator's seasons (opened, edited, planned, published), events (made once
//! or weekly in words, edited, scheduled, cancelled, published) and calls for ideas with their
//! proposals (accepted into the season or declined).

mod admin;
mod calendar;
mod calls;
mod calls_admin;
mod cancel;
mod event;
mod event_admin;
mod event_image;
mod ideas;
mod indicators;
mod pathways;
mod propose;
mod repeat;
mod say;
mod seasons;
mod state;
mod tables;
mod tables_admin;

pub use state::PageState;

use crate::state::AppState;
use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use piazza_shared::{images::http::BODY_LIMIT, web::Templates};

const TEMPLATES: [(&str, &str); 20] = [
    (
        "season_edit.html",
        include_str!("../../templates/season_edit.html"),
    ),
    (
        "event_form.html",
        include_str!("../../templates/event_form.html"),
    ),
    (
        "admin_calls.html",
        include_str!("../../templates/admin_calls.html"),
    ),
    (
        "admin_call.html",
        include_str!("../../templates/admin_call.html"),
    ),
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
    ("tables.html", include_str!("../../templates/tables.html")),
    (
        "admin_tables.html",
        include_str!("../../templates/admin_tables.html"),
    ),
    (
        "admin_table.html",
        include_str!("../../templates/admin_table.html"),
    ),
    (
        "pathways.html",
        include_str!("../../templates/pathways.html"),
    ),
    ("pathway.html", include_str!("../../templates/pathway.html")),
    (
        "attendance.html",
        include_str!("../../templates/attendance.html"),
    ),
];

pub fn router(app: AppState) -> anyhow::Result<Router> {
    let state = PageState {
        app,
        templates: Templates::new(&[TEMPLATES.as_slice(), ideas::TEMPLATES.as_slice()].concat())?,
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
        .route(
            "/admin/events/new",
            get(event_admin::new_form).post(event_admin::create),
        )
        .route(
            "/admin/events/{id}/edit",
            get(event_admin::edit_form).post(event_admin::edit),
        )
        .route("/admin/events/{id}/cancel", post(event_admin::cancel))
        .route(
            "/admin/events/{id}/image",
            post(event_image::upload).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/admin/events/{id}/image/remove", post(event_image::remove))
        .route("/admin/events/{id}/schedule", post(event_admin::schedule))
        .route("/admin/seasons", get(seasons::list).post(seasons::create))
        .route("/admin/seasons/{id}", get(seasons::planner))
        .route(
            "/admin/seasons/{id}/edit",
            get(seasons::edit_form).post(seasons::edit),
        )
        .route(
            "/admin/calls",
            get(calls_admin::list).post(calls_admin::open),
        )
        .route("/admin/calls/{id}", get(calls_admin::proposals_page))
        .route("/admin/calls/{id}/close", post(calls_admin::close))
        .route("/admin/proposals/{id}/accept", post(calls_admin::accept))
        .route("/admin/proposals/{id}/decline", post(calls_admin::decline))
        .route("/admin/seasons/{id}/publish", post(seasons::publish))
        .route("/admin/indicators", get(indicators::page))
        .route("/admin/indicators.csv", get(indicators::csv))
        .route("/calls", get(calls::list))
        .route("/calls/{id}", get(calls::form).post(calls::submit))
        .route("/propose", get(propose::form).post(propose::submit))
        .route("/tables", get(tables::page))
        .route(
            "/admin/tables",
            get(tables_admin::list).post(tables_admin::create),
        )
        .route("/admin/tables/{id}", get(tables_admin::show))
        .route("/admin/tables/{id}/members", post(tables_admin::add_member))
        .route("/admin/tables/{id}/meetings", post(tables_admin::schedule))
        .route(
            "/admin/tables/{id}/meetings/{meeting}/cancel",
            post(tables_admin::cancel),
        )
        .route(
            "/admin/tables/{id}/meetings/{meeting}/record",
            post(tables_admin::record),
        )
        .route("/calls/{id}/idea", get(ideas::form).post(ideas::submit))
        .route(
            "/ideas/{id}/verify",
            get(ideas::verify_form).post(ideas::verify),
        )
        .route("/admin/ideas", get(ideas::queue))
        .route("/admin/ideas/{id}/accept", post(ideas::accept))
        .route("/admin/ideas/{id}/decline", post(ideas::decline))
        .route("/pathways", get(pathways::list))
        .route("/pathways/{id}", get(pathways::page))
        .route("/pathways/{id}/referrals", post(pathways::refer))
        .route(
            "/pathways/{id}/referrals/{referral_id}/completion",
            post(pathways::completion),
        )
        .route(
            "/pathways/{id}/sessions/{session_id}",
            get(pathways::sheet).post(pathways::take),
        )
        .with_state(state))
}
