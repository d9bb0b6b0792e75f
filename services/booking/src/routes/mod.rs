//! The booking service's HTTP API, one file per resource: each handler extracts the request,
//! calls its use case in [`crate::ops`] and answers its view as JSON.

pub mod auth;
pub mod bookings;
pub mod calendar;
pub mod closures;
pub mod organisations;
pub mod reports;
pub mod sectors;
pub mod signoffs;
pub mod space_image;
pub mod spaces;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use piazza_shared::images::http::BODY_LIMIT;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The service's API, routed and documented.
pub fn router(state: AppState) -> OpenApiRouter {
    api().with_state(state)
}

/// The routes before they are given the state: [`crate::SERVICE`] reads the document from them
/// without building the service, so another service can serve the whole deployment's document.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::issue_token))
        .routes(routes!(auth::log_out))
        .routes(routes!(spaces::create, spaces::list))
        .routes(routes!(spaces::get_one, spaces::update))
        .routes(routes!(closures::add_closure))
        .routes(routes!(closures::add_exception, closures::list_exceptions))
        .routes(routes!(spaces::availability))
        .routes(routes!(calendar::space_calendar))
        .routes(routes!(reports::utilization))
        .routes(routes!(bookings::create, bookings::list))
        .routes(routes!(bookings::get_one))
        .routes(routes!(bookings::approve))
        .routes(routes!(bookings::reject))
        .routes(routes!(bookings::cancel))
        .routes(routes!(organisations::create, organisations::list))
        .routes(routes!(organisations::update))
        .routes(routes!(sectors::list, sectors::create))
        .routes(routes!(sectors::set_membership))
        .routes(routes!(signoffs::list_rules, signoffs::create_rule))
        .routes(routes!(signoffs::update_rule, signoffs::delete_rule))
        .routes(routes!(signoffs::queue))
        .routes(routes!(signoffs::of_booking))
        .routes(routes!(signoffs::approve))
        .routes(routes!(signoffs::reject))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    space_image::put_image,
                    space_image::get_image,
                    space_image::delete_image
                ))
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
}
