//! `/api/v1/spaces/{id}/image`: a space's image, set and removed by administrators and served
//! to anyone, over [`crate::ops::spaces::image`].

use crate::{ops::spaces, state::AppState};
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
};
use uuid::Uuid;

/// Sets or replaces a space's image: the file is re-encoded as JPEG in two widths.
#[utoipa::path(
    put,
    path = "/api/v1/spaces/{id}/image",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
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
        spaces::set_image(&state, &caller, id, form).await?,
    ))
}

/// A space's image as JPEG, with an ETag (304 on `If-None-Match`).
#[utoipa::path(
    get,
    path = "/api/v1/spaces/{id}/image",
    tag = "spaces",
    security(()),
    params(("id" = Uuid, Path, description = "Space id"), ImageQuery),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg", body = Vec<u8>),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such space, or no image", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn get_image(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(query): Query<ImageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let size = Size::parse(query.size)?;
    let (hash, bytes) = spaces::image_bytes(&state, id, size).await?;
    Ok(serve(&hash, bytes, size, true, &headers))
}

/// Removes a space's image.
#[utoipa::path(
    delete,
    path = "/api/v1/spaces/{id}/image",
    tag = "spaces",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Space id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "No such space, or no image", body = Problem),
        (status = 422, description = "`id` is not a UUID", body = Problem),
    )
)]
pub async fn delete_image(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    spaces::remove_image(&state, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
