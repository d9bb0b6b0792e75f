//! `/api/v1/events`: administrators create events, operators propose them, anyone reads the
//! published calendar. An event with a space gets its slot from booking over the bus.

use super::calendar;
pub use crate::ops::events::create::NewEvent;
use crate::views::EventView;
use crate::{
    ops::events::{create, image, may_see_unpublished},
    ops::places,
    schedule::{self, announce},
    state::AppState,
};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Creates an event (administrators) or proposes one (operators).
#[utoipa::path(
    post,
    path = "/api/v1/events",
    tag = "events",
    security(("bearer" = ["admin", "operator"])),
    request_body = NewEvent,
    responses(
        (status = 201, description = "Created; with a space, `space_status` is `pending` until booking answers", body = EventView),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Unknown season or programme", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewEvent>,
) -> Result<(StatusCode, axum::Json<EventView>), ApiError> {
    let view = create::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Reads `{id}` or `{id}.ics`.
fn event_path(raw: &str) -> Result<(Uuid, bool), ApiError> {
    let (id, ics) = match raw.strip_suffix(".ics") {
        Some(id) => (id, true),
        None => (raw, false),
    };
    Uuid::parse_str(id)
        .map(|id| (id, ics))
        .map_err(|_| ApiError::field("id", "not a valid id (a UUID)"))
}

/// One event: public once published; before that, only administrators and its organisation.
/// `/api/v1/events/{id}.ics` gives it as a calendar.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    tag = "events",
    security((), ("bearer" = ["admin", "operator"])),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = EventView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(raw): Path<String>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    let (id, ics) = event_path(&raw)?;
    let loaded = schedule::load(state.db.conn(), id).await?;
    if !announce::is_public(&loaded.event) && !may_see_unpublished(caller.as_ref(), &loaded.event) {
        // Unpublished events do not exist for the public.
        return Err(ApiError::NotFound("event"));
    }
    if ics {
        return Ok(calendar::event_ics(&state, &loaded, &headers));
    }
    let places = places::summary_for_event(state.db.conn(), &state.settings, &loaded).await?;
    let mut view = EventView::new(loaded.event, loaded.occurrences, loaded.space.as_ref());
    view.places = Some(places);
    view.image = image::image_views(state.db.conn(), &[id])
        .await?
        .remove(&id);
    Ok(axum::Json(view).into_response())
}
