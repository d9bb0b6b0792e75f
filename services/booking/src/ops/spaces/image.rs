//! A space's image: set and removed by administrators, shown to anyone with the space. The
//! checks, the resizing and the table's queries are [`piazza_shared::images`]'s; this module
//! says whose image it is and where it is served.

use super::fields::find;
use crate::{error::BookingError, state::AppState, views::SpaceView};
use piazza_shared::{
    auth::{Caller, Role},
    http::ApiError,
    images::{
        ImageView, Size,
        http::{UploadForm, check},
        store::ImageTable,
    },
};
use std::collections::HashMap;
use uuid::Uuid;

/// Booking's image table.
pub const IMAGES: ImageTable = ImageTable {
    table: "space_images",
    owner: "space_id",
};

/// Where the image of space `id` is served.
pub fn path(id: Uuid) -> String {
    format!("/api/v1/spaces/{id}/image")
}

/// Sets (or replaces) the image of space `id` (administrators).
pub async fn set_image(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    form: UploadForm,
) -> Result<ImageView, BookingError> {
    caller.require(&[Role::Admin])?;
    find(state.db.conn(), id).await?;
    let upload = check(form).await?;
    let unit = state.begin().await?;
    let view = IMAGES
        .set(unit, &caller.0, "space", id, &upload, &path(id))
        .await?;
    tracing::info!(space_id = %id, actor = %caller.0.sub, bytes = upload.image.large.len(), "space image set");
    Ok(view)
}

/// Removes the image of space `id` (administrators); 404 when it has none.
pub async fn remove_image(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), BookingError> {
    caller.require(&[Role::Admin])?;
    find(state.db.conn(), id).await?;
    let unit = state.begin().await?;
    if !IMAGES.remove(unit, &caller.0, "space", id).await? {
        return Err(ApiError::NotFound("image").into());
    }
    tracing::info!(space_id = %id, actor = %caller.0.sub, "space image removed");
    Ok(())
}

/// The JPEG of space `id` in `size` and its digest (anyone); 404 when it has none.
pub async fn image_bytes(
    state: &AppState,
    id: Uuid,
    size: Size,
) -> Result<(String, Vec<u8>), BookingError> {
    Ok(IMAGES
        .bytes(state.db.conn(), id, size)
        .await?
        .ok_or(ApiError::NotFound("image"))?)
}

/// The images of `ids`, as the API shows them.
pub async fn image_views(
    state: &AppState,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ImageView>, BookingError> {
    Ok(IMAGES
        .metas(state.db.conn(), ids)
        .await?
        .into_iter()
        .map(|(id, meta)| (id, ImageView::new(&path(id), &meta)))
        .collect())
}

/// `spaces` with their images.
pub async fn with_images(
    state: &AppState,
    mut spaces: Vec<SpaceView>,
) -> Result<Vec<SpaceView>, BookingError> {
    let ids: Vec<Uuid> = spaces.iter().map(|s| s.id).collect();
    let mut images = image_views(state, &ids).await?;
    for space in &mut spaces {
        space.image = images.remove(&space.id);
    }
    Ok(spaces)
}
