//! The HTTP side of images, the same for spaces and events: reading the `multipart/form-data`
//! upload (`file`, `alt`, and on pages `csrf`), checking it into a [`super::Processed`] image,
//! and serving a stored JPEG with an ETag, a public `Cache-Control` and 304 on `If-None-Match`.

use super::{MAX_UPLOAD_BYTES, Processed, Size, alt_text, process};
use crate::{
    http::{ApiError, FieldError},
    web::{Lang, PageCtx, Templates, messages},
};
use axum::{
    extract::{Multipart, multipart::MultipartRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The largest upload request, in bytes: the file plus room for the alt text, the CSRF token
/// and the multipart boundaries. Routes that take an upload set it as their body limit.
pub const BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 64 * 1024;

/// How long a browser or proxy may keep a copy without asking again, in seconds. The URL in
/// the JSON carries the image's digest (`?v=`), so a new image is a new URL.
pub const MAX_AGE_SECONDS: u32 = 86_400;

/// Whether `path` is one that takes an upload, so the body limit in front of every route lets
/// [`BODY_LIMIT`] bytes through to it (the route itself enforces it).
pub fn takes_upload(path: &str) -> bool {
    path.ends_with("/image")
}

/// `GET …/image`'s query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImageQuery {
    /// `480` or `1200` (the default): the copy's width at most, in pixels.
    pub size: Option<u32>,
    /// The image's version, as in the `url` the JSON gives; any value serves the current image.
    pub v: Option<String>,
}

/// `PUT …/image`'s body, for the OpenAPI document (`multipart/form-data`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadBody {
    /// JPEG, PNG or WebP; at most 8 MB and 8000 × 8000 px.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the image shows, for people who cannot see it: 1–250 characters.
    pub alt: String,
}

/// The fields of an upload form, as sent.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub file: Vec<u8>,
    pub alt: String,
    /// The page's CSRF token (absent on the API).
    pub csrf: String,
}

/// An upload that passed its checks.
#[derive(Debug)]
pub struct Upload {
    pub alt: String,
    pub image: Processed,
}

/// Reads the form; other fields are skipped. A body over the limit is a 413, one that is not
/// `multipart/form-data` a 400.
pub async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<UploadForm, ApiError> {
    let mut multipart = multipart.map_err(|rejection| {
        ApiError::BadRequest(format!(
            "send multipart/form-data with `file` and `alt`: {}",
            rejection.body_text()
        ))
    })?;
    let refused = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(format!("the form could not be read: {error}"))
        }
    };
    let mut form = UploadForm::default();
    while let Some(field) = multipart.next_field().await.map_err(refused)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => form.file = field.bytes().await.map_err(refused)?.to_vec(),
            "alt" => form.alt = field.text().await.map_err(refused)?,
            "csrf" => form.csrf = field.text().await.map_err(refused)?,
            _ => {}
        }
    }
    Ok(form)
}

/// Checks the alt text and the file together (a 422 names each field at fault), decoding and
/// resizing on a blocking thread.
pub async fn check(form: UploadForm) -> Result<Upload, ApiError> {
    let alt = alt_text(&form.alt);
    let image = tokio::task::spawn_blocking(move || process(&form.file))
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    match (alt, image) {
        (Ok(alt), Ok(image)) => Ok(Upload { alt, image }),
        (alt, image) => Err(ApiError::Validation(
            [image.err(), alt.err()]
                .into_iter()
                .flatten()
                .map(|e| e.to_field_error())
                .collect::<Vec<FieldError>>(),
        )),
    }
}

/// A page's upload, read and checked for this session's CSRF token (and this site's origin);
/// a refusal is a page in the visitor's language.
pub async fn page_form(
    ctx: &PageCtx,
    templates: &Templates,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<UploadForm, Response> {
    let form = read_form(multipart)
        .await
        .map_err(|error| ctx.api_error(templates, error))?;
    ctx.check_post(templates, &form.csrf)?;
    Ok(form)
}

/// A refused upload's problems by field (`file`, `alt`), in `lang`, to show by each field.
pub fn page_errors(errors: &[FieldError], lang: Lang) -> BTreeMap<String, String> {
    let mut by_field = BTreeMap::new();
    for error in errors {
        by_field
            .entry(error.field.clone())
            .or_insert_with(|| messages::field_message(&error.message, lang));
    }
    by_field
}

/// The ETag of `size` of the image whose digest is `hash`.
fn etag(hash: &str, size: Size) -> String {
    let root: String = hash.chars().take(32).collect();
    format!("\"{root}-{}\"", size.width())
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak tags compare as strong ones.
fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// The stored JPEG, or 304 when the client has it already. An image only some may see (an
/// unpublished event's) is not `public`: no shared cache keeps it.
pub fn serve(
    hash: &str,
    bytes: Vec<u8>,
    size: Size,
    public: bool,
    request: &HeaderMap,
) -> Response {
    let etag = etag(hash, size);
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    let cache = if public {
        format!("public, max-age={MAX_AGE_SECONDS}")
    } else {
        "private, no-cache".to_string()
    };
    if let Ok(value) = HeaderValue::from_str(&cache) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if matches(request, &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    (StatusCode::OK, headers, bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_is_read_as_a_list_and_weakly() {
        let tag = etag("abcdef", Size::Small);
        assert_eq!(tag, "\"abcdef-480\"");
        let mut request = HeaderMap::new();
        request.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"other\", W/\"abcdef-480\""),
        );
        assert!(matches(&request, &tag));
        assert!(!matches(&request, &etag("abcdef", Size::Large)));
        assert_eq!(
            serve("abcdef", vec![1], Size::Small, true, &request).status(),
            StatusCode::NOT_MODIFIED
        );
        assert_eq!(
            serve("abcdef", vec![1], Size::Large, true, &request).status(),
            StatusCode::OK
        );
    }

    #[test]
    fn uploads_go_to_image_paths_only() {
        assert!(takes_upload("/api/v1/events/1/image"));
        assert!(takes_upload("/admin/spaces/1/image"));
        assert!(!takes_upload("/api/v1/events"));
    }
}
