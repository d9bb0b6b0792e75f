//! The booking service's web pages: logging in and out, and the operator's and administrator's
//! pages about spaces and bookings. Each takes the page's context, calls the same use case as
//! the API in [`crate::ops`] — so the rules, the 422 messages and the 409 conflicts are the
//! API's own — and renders a template.

mod admin;
mod indicators;
mod login;
mod map;
mod mine;
mod operator;
mod people;
mod place;
mod rows;
mod sectors;
mod space_image;
mod spaces;
mod state;

use crate::state::AppState;
use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use piazza_shared::{images::http::BODY_LIMIT, web::Templates};
pub use state::PageState;

const TEMPLATES: [(&str, &str); 17] = [
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
    ("space.html", include_str!("../../templates/space.html")),
    (
        "space_view.html",
        include_str!("../../templates/space_view.html"),
    ),
    ("map.html", include_str!("../../templates/map.html")),
    (
        "features.html",
        include_str!("../../templates/features.html"),
    ),
    (
        "accounts.html",
        include_str!("../../templates/accounts.html"),
    ),
    (
        "organisations.html",
        include_str!("../../templates/organisations.html"),
    ),
    (
        "password.html",
        include_str!("../../templates/password.html"),
    ),
    ("sectors.html", include_str!("../../templates/sectors.html")),
    (
        "signoff_rules.html",
        include_str!("../../templates/signoff_rules.html"),
    ),
    (
        "signoffs.html",
        include_str!("../../templates/signoffs.html"),
    ),
];

pub fn router(app: AppState) -> anyhow::Result<Router> {
    let state = PageState {
        app,
        templates: Templates::new(&TEMPLATES)?,
    };
    Ok(Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/spaces/find", get(operator::find))
        .route("/spaces/{id}", get(place::page))
        .route("/bookings", get(mine::mine))
        .route("/bookings/{id}/cancel", post(mine::cancel))
        .route(
            "/bookings/new",
            get(operator::new_form).post(operator::request),
        )
        .route("/admin/bookings", get(admin::queue))
        .route("/admin/bookings/{id}/approve", post(admin::approve))
        .route("/admin/bookings/{id}/reject", post(admin::reject))
        .route("/admin/spaces", get(spaces::catalogue).post(spaces::create))
        .route("/admin/spaces/{id}", get(spaces::show).post(spaces::update))
        .route("/admin/spaces/{id}/exceptions", post(spaces::add_exception))
        .route("/admin/spaces/{id}/closures", post(spaces::add_closure))
        .route(
            "/admin/spaces/{id}/image",
            post(space_image::upload).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/admin/spaces/{id}/image/remove", post(space_image::remove))
        .route(
            "/admin/spaces/{id}/{what}/{item}/remove",
            post(spaces::remove),
        )
        .route(
            "/admin/accounts",
            get(people::accounts).post(people::invite),
        )
        .route("/admin/accounts/{id}/{action}", post(people::act))
        .route(
            "/admin/organisations",
            get(people::organisations).post(people::add_organisation),
        )
        .route(
            "/admin/organisations/{id}",
            post(people::update_organisation),
        )
        .route(
            "/account/password",
            get(people::password_form).post(people::password_set),
        )
        .route("/admin/sectors", get(sectors::page).post(sectors::add))
        .route(
            "/admin/sectors/accounts/{id}",
            post(sectors::set_membership),
        )
        .route(
            "/admin/signoff-rules",
            get(sectors::rules).post(sectors::add_rule),
        )
        .route(
            "/admin/signoff-rules/{id}/remove",
            post(sectors::remove_rule),
        )
        .route("/admin/signoffs", get(sectors::queues))
        .route(
            "/admin/signoffs/{id}/{sector}/{decision}",
            post(sectors::decide),
        )
        .route("/admin/indicators/spaces", get(indicators::page))
        .route("/admin/indicators/spaces.csv", get(indicators::csv))
        .with_state(state))
}
