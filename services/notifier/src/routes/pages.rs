//! Small HTML pages answering links from emails, in the site's style; they say plainly what
//! happened.

use crate::email::templates::escape;
use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

pub fn page(status: StatusCode, title: &str, body_html: &str) -> Response {
    // The site's own style sheet and header, so a person arriving from an email is on Piazza.
    let html = format!(
        r#"<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Piazza Cremona</title>
<link rel="stylesheet" href="{css}">
</head>
<body><header class="site"><a class="brand" href="/">Piazza <span>Cremona</span></a>
<nav aria-label="Menu principale"><ul><li><a href="/">Calendario</a></li><li><a href="/subscribe">Iscriviti</a></li></ul></nav></header>
<main id="main"><h1>{title}</h1>{body_html}</main></body>
</html>"#,
        title = escape(title),
        css = piazza_shared::web::assets::css_href()
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
