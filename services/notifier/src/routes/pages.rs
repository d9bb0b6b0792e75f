//! Small HTML pages answering links from emails (the web pages proper come later; these say
//! plainly what happened).

use crate::email::templates::escape;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

pub fn page(status: StatusCode, title: &str, body_html: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Piazza</title>
<style>body{{font-family:system-ui,Helvetica,Arial,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d1d1b}}h1{{font-size:1.5rem}}button{{font:inherit;padding:.6rem 1.2rem;background:#7a2e1f;color:#fff;border:0;border-radius:.4rem;cursor:pointer}}</style>
</head>
<body><main><h1>{title}</h1>{body_html}</main></body>
</html>"#,
        title = escape(title)
    );
    (status, Html(html)).into_response()
}

/// A link that is broken, expired or meant for something else.
pub fn bad_link(reason: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Link non valido",
        &format!(
            "<p>Questo link non è valido o è scaduto ({}).</p><p lang=\"en\">This link is not valid or has expired.</p>",
            escape(reason)
        ),
    )
}
