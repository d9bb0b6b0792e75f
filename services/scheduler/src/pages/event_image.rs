//! The image form on an administrator's event edit page: `POST /admin/events/{id}/image` sets
//! or replaces the image (`multipart/form-data`), `…/image/remove` removes it. A refused file or
//! alt text is shown by its field, in the page's language.

use super::{
    event_admin::edit_page,
    say::{self, Refused},
    state::PageState,
};
use crate::ops::events::image;
use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    response::Response,
};
use piazza_shared::{
    http::Path,
    images::http::page_form,
    web::{AdminOnly, CsrfForm, SignedIn, page::see_other},
};
use uuid::Uuid;

/// `POST /admin/events/{id}/image`.
pub async fn upload(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let form = match page_form(&ctx, &state.templates, multipart).await {
        Ok(form) => form,
        Err(refusal) => return refusal,
    };
    match image::set_image(&state.app, &caller, id, form).await {
        Ok(_) => see_other(&format!("/admin/events/{id}/edit?done=image#image")),
        Err(error) => match say::refused(error, ctx.lang, str::to_string) {
            Refused::Fields(errors) => {
                edit_page(
                    &state,
                    &ctx,
                    &caller,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    errors,
                )
                .await
            }
            Refused::Other(error) => ctx.api_error(&state.templates, error),
        },
    }
}

/// `POST /admin/events/{id}/image/remove`.
pub async fn remove(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    match image::remove_image(&state.app, &caller, id).await {
        Ok(()) => see_other(&format!("/admin/events/{id}/edit?done=image-removed#image")),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}
