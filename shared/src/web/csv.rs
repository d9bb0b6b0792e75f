//! CSV exports of the indicator pages: the same download answer for every service.

use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

/// `text` (CSV with CRLF line ends) as a download named `<name>-<from>-<to>.csv`.
pub fn download(
    name: &str,
    from: impl std::fmt::Display,
    to: impl std::fmt::Display,
    text: String,
) -> Response {
    let disposition = format!("attachment; filename=\"{name}-{from}-{to}.csv\"");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        text,
    )
        .into_response()
}
