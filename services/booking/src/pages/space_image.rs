//! The image form on an administrator's space page: `POST /admin/spaces/{id}/image` sets or
//! replaces the image (`multipart/form-data`), `…/image/remove` removes it. A refused file or
//! alt text is shown by its field, in the page's language.

use super::{spaces::space_page, state::PageState};
use crate::ops::spaces;
use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    response::Response,
};
use piazza_shared::{
    http::{ApiError, Path},
    images::http::{page_errors, page_form},
    web::{AdminOnly, CsrfForm, SignedIn, page::see_other},
};
use uuid::Uuid;

/// `POST /admin/spaces/{id}/image`.
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
    match spaces::set_image(&state.app, &caller, id, form)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => see_other(&format!("/admin/spaces/{id}?done=image#image")),
        Err(ApiError::Validation(list)) => {
            let errors = page_errors(&list, ctx.lang);
            space_page(
                &state,
                &ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
            )
            .await
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// `POST /admin/spaces/{id}/image/remove`.
pub async fn remove(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    match spaces::remove_image(&state.app, &caller, id).await {
        Ok(()) => see_other(&format!("/admin/spaces/{id}?done=image-removed#image")),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}
