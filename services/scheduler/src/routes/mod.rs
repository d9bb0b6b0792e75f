//! The scheduler's HTTP routes, one file per resource.

pub mod calendar;
pub mod calls;
pub mod changes;
pub mod clashes;
pub mod event_image;
pub mod events;
pub mod feeds;
pub mod ideas;
pub mod jobs;
pub mod listing;
pub mod occurrences;
pub mod pathways;
pub mod programmes;
pub mod proposals;
pub mod registrations;
pub mod seasons;
pub mod tables;
pub mod workflow;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use piazza_shared::images::http::BODY_LIMIT;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Paths served by a route documented under another name.
#[derive(OpenApi)]
#[openapi(paths(calendar::event_ics_doc))]
struct Aliases;

/// The service's API, routed and documented.
pub fn router(state: AppState) -> OpenApiRouter {
    api().with_state(state)
}

/// The routes before they are given the state: [`crate::SERVICE`] reads the document from them
/// without building the service, so another service can serve the whole deployment's document.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(Aliases::openapi())
        .routes(routes!(seasons::create, seasons::list))
        .routes(routes!(seasons::get_one, seasons::patch))
        .routes(routes!(seasons::publish))
        .routes(routes!(seasons::archive))
        .routes(routes!(clashes::clashes))
        .routes(routes!(feeds::create, feeds::list))
        .routes(routes!(feeds::refresh))
        .routes(routes!(feeds::delete))
        .routes(routes!(programmes::create, programmes::list))
        .routes(routes!(programmes::get_one, programmes::patch))
        .routes(routes!(events::create, listing::list))
        .routes(routes!(events::get_one, changes::patch))
        .routes(routes!(workflow::publish))
        .routes(routes!(workflow::schedule))
        .routes(routes!(workflow::cancel))
        .routes(routes!(occurrences::move_occurrence))
        .routes(routes!(occurrences::cancel_occurrence))
        .routes(routes!(
            registrations::register_for_event,
            registrations::list_for_event
        ))
        .routes(routes!(
            registrations::register_for_programme,
            registrations::list_for_programme
        ))
        .routes(routes!(registrations::cancel))
        .routes(routes!(calls::create_call, calls::list_calls))
        .routes(routes!(calls::get_call))
        .routes(routes!(calls::close_call))
        .routes(routes!(proposals::submit, proposals::list_proposals))
        .routes(routes!(proposals::get_proposal))
        .routes(routes!(proposals::accept))
        .routes(routes!(proposals::decline))
        .routes(routes!(ideas::submit, ideas::list))
        .routes(routes!(ideas::get_one))
        .routes(routes!(ideas::verify))
        .routes(routes!(ideas::accept))
        .routes(routes!(ideas::decline))
        .routes(routes!(ideas::set_accepts))
        .routes(routes!(ideas::erase))
        .routes(routes!(calendar::feed))
        .routes(routes!(jobs::list))
        .routes(routes!(tables::create_table, tables::list_tables))
        .routes(routes!(tables::get_table))
        .routes(routes!(tables::add_member, tables::list_members))
        .routes(routes!(tables::remove_member))
        .routes(routes!(tables::create_meeting, tables::list_meetings))
        .routes(routes!(tables::get_meeting, tables::patch_meeting))
        .routes(routes!(tables::cancel_meeting))
        .routes(routes!(tables::record_meeting))
        .routes(routes!(pathways::create, pathways::list))
        .routes(routes!(pathways::get_one))
        .routes(routes!(pathways::add_sessions))
        .routes(routes!(pathways::refer))
        .routes(routes!(pathways::completion))
        .routes(routes!(
            pathways::read_attendance,
            pathways::take_attendance
        ))
        .routes(routes!(pathways::list_accreditations))
        .routes(routes!(
            pathways::grant_accreditation,
            pathways::withdraw_accreditation
        ))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(
                    event_image::put_image,
                    event_image::get_image,
                    event_image::delete_image
                ))
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
}
