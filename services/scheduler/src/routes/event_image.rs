//! `/api/v1/events/{id}/image`: an event's image, set and removed by administrators and served
//! to anyone, over [`crate::ops::events::image`].

use crate::{ops::events::image, state::AppState};
use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, Path, Problem, Query},
    images::{
        ImageView, Size,
        http::{ImageQuery, UploadBody, read_form, serve},
    },
    web::session,
};
use uuid::Uuid;

/// Sets or replaces an event's image: the file is re-encoded as JPEG in two widths.
#[utoipa::path(
    put,
    path = "/api/v1/events/{id}/image",
    tag = "events",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body(content = UploadBody, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "The stored image", body = ImageView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, description = "Over 8 MB", body = Problem),
        (status = 422, description = "`file` not an image, not JPEG/PNG/WebP or over 8000 × 8000 px; `alt` missing or too long", body = Problem),
    )
)]
pub async fn put_image(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<ImageView>, ApiError> {
    // Before reading up to 8 MB.
    caller.require(&[Role::Admin])?;
    let form = read_form(multipart).await?;
    Ok(axum::Json(
        image::set_image(&state, &caller, id, form).await?,
    ))
}

/// An event's image as JPEG, with an ETag (304 on `If-None-Match`): public once the event is
/// published, before that for administrators and its organisation (bearer token or the pages'
/// session cookie).
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/image",
    tag = "events",
    security((), ("bearer" = ["admin", "operator"])),
    params(("id" = Uuid, Path, description = "Event id"), ImageQuery),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg", body = Vec<u8>),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such event (or not published), or no image", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn get_image(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
    Query(query): Query<ImageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let size = Size::parse(query.size)?;
    // An `<img>` on an administrator's page sends the session cookie, not a bearer token.
    let caller = caller.or_else(|| session::viewer(&headers, &state.keys).map(|(c, _)| Caller(c)));
    let served = image::image_bytes(&state, caller.as_ref(), id, size).await?;
    Ok(serve(
        &served.hash,
        served.bytes,
        size,
        served.public,
        &headers,
    ))
}

/// Removes an event's image.
#[utoipa::path(
    delete,
    path = "/api/v1/events/{id}/image",
    tag = "events",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "No such event (or not published), or no image", body = Problem),
        (status = 422, description = "`id` is not a UUID", body = Problem),
    )
)]
pub async fn delete_image(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    image::remove_image(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
