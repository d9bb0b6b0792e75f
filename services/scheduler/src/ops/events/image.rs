//! An event's image: set and removed by administrators, shown wherever the event is (so to the
//! public once it is published). The checks, the resizing and the table's queries are
//! [`piazza_shared::images`]'s; this module says whose image it is and where it is served.

use super::may_see_unpublished;
use crate::{db::events, error::SchedulerError, schedule::announce, state::AppState};
use piazza_shared::{
    auth::{Caller, Role},
    http::ApiError,
    images::{
        ImageView, Size,
        http::{UploadForm, check},
        store::ImageTable,
    },
};
use sea_orm::{ConnectionTrait, EntityTrait};
use std::collections::HashMap;
use uuid::Uuid;

/// The scheduler's image table.
pub const IMAGES: ImageTable = ImageTable {
    table: "event_images",
    owner: "event_id",
};

/// Where the image of event `id` is served.
pub fn path(id: Uuid) -> String {
    format!("/api/v1/events/{id}/image")
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<events::Model, ApiError> {
    events::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("event"))
}

/// Sets (or replaces) the image of event `id` (administrators).
pub async fn set_image(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    form: UploadForm,
) -> Result<ImageView, SchedulerError> {
    caller.require(&[Role::Admin])?;
    find(state.db.conn(), id).await?;
    let upload = check(form).await?;
    let unit = state.begin().await?;
    let view = IMAGES
        .set(unit, &caller.0, "event", id, &upload, &path(id))
        .await?;
    tracing::info!(event_id = %id, actor = %caller.0.sub, bytes = upload.image.large.len(), "event image set");
    Ok(view)
}

/// Removes the image of event `id` (administrators); 404 when it has none.
pub async fn remove_image(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<(), SchedulerError> {
    caller.require(&[Role::Admin])?;
    find(state.db.conn(), id).await?;
    let unit = state.begin().await?;
    if !IMAGES.remove(unit, &caller.0, "event", id).await? {
        return Err(ApiError::NotFound("image").into());
    }
    tracing::info!(event_id = %id, actor = %caller.0.sub, "event image removed");
    Ok(())
}

/// A stored JPEG, and whether everyone may see it.
#[derive(Debug)]
pub struct Served {
    pub hash: String,
    pub bytes: Vec<u8>,
    pub public: bool,
}

/// The JPEG of event `id` in `size`: for anyone once the event is published, before that for
/// those who may see the event; 404 when it has none.
pub async fn image_bytes(
    state: &AppState,
    caller: Option<&Caller>,
    id: Uuid,
    size: Size,
) -> Result<Served, SchedulerError> {
    let event = find(state.db.conn(), id).await?;
    let public = announce::is_public(&event);
    if !public && !may_see_unpublished(caller, &event) {
        return Err(ApiError::NotFound("event").into());
    }
    let (hash, bytes) = IMAGES
        .bytes(state.db.conn(), id, size)
        .await?
        .ok_or(ApiError::NotFound("image"))?;
    Ok(Served {
        hash,
        bytes,
        public,
    })
}

/// The images of events `ids`, as the API shows them.
pub async fn image_views(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ImageView>, ApiError> {
    Ok(IMAGES
        .metas(conn, ids)
        .await?
        .into_iter()
        .map(|(id, meta)| (id, ImageView::new(&path(id), &meta)))
        .collect())
}
