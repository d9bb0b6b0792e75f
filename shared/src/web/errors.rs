//! Error pages for people: a browser asking for a page that is not there (404), a method a page
//! does not take (405), a handler that failed (500), a request that took too long (503) or too
//! many requests (429) gets the site's error page in its language, not the problem+json an API
//! client reads. Only page addresses (not `/api/…` and the other machine endpoints) asked for by
//! a browser (`Accept: text/html`) are answered so; everything else keeps its problem+json.

use super::{page::PageCtx, templates::Templates};
use crate::auth::Keys;
use axum::{
    extract::{FromRef, FromRequestParts, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::Response,
};

/// What the error pages need: the keys (to show who is signed in) and the shared templates.
#[derive(Clone)]
pub struct ErrorPages {
    pub keys: Keys,
    pub templates: Templates,
}

impl ErrorPages {
    pub fn new(keys: Keys) -> anyhow::Result<Self> {
        Ok(Self {
            keys,
            templates: Templates::new(&[])?,
        })
    }
}

impl FromRef<ErrorPages> for Keys {
    fn from_ref(pages: &ErrorPages) -> Keys {
        pages.keys.clone()
    }
}

/// Addresses that are never pages: the API, the operations endpoints, feeds and assets.
const MACHINE_PREFIXES: [&str; 8] = [
    "/api/", "/healthz", "/readyz", "/livez", "/metrics", "/ops/", "/assets/", "/openapi",
];

fn is_page_request(path: &str, headers: &HeaderMap) -> bool {
    let machine = MACHINE_PREFIXES.iter().any(|p| path.starts_with(p))
        || path.ends_with(".ics")
        || path.ends_with(".csv")
        || path.ends_with(".json");
    let html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    !machine && html
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/problem+json") || v.starts_with("application/json")
        })
}

/// The middleware: put it outside every other layer, so it sees the final answer.
pub async fn html_errors(
    State(pages): State<ErrorPages>,
    request: Request,
    next: Next,
) -> Response {
    if !is_page_request(request.uri().path(), request.headers()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(ctx) = PageCtx::from_request_parts(&mut parts, &pages).await;
    let reading = parts.method == axum::http::Method::GET;
    let response = next.run(Request::from_parts(parts, body)).await;
    let mut status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || !is_problem(&response) {
        return response;
    }
    // A page's address that does not read (`/events/not-an-id`) names no page: for a person
    // that is "not found", whatever the extractor called it.
    if reading
        && matches!(
            status,
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY
        )
    {
        status = StatusCode::NOT_FOUND;
    }
    let message = match status {
        StatusCode::NOT_FOUND => ctx.t(
            "Questa pagina non esiste: forse l'indirizzo è cambiato o contiene un errore.",
            "This page does not exist: the address may have changed or contain a mistake.",
        ),
        StatusCode::FORBIDDEN => ctx.t(
            "Questa pagina è riservata ad altri ruoli.",
            "This page is for other roles.",
        ),
        StatusCode::UNAUTHORIZED => ctx.t(
            "Accedi per vedere questa pagina.",
            "Log in to see this page.",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ctx.t(
            "Questa pagina non si apre così: torna indietro e riprova dal link.",
            "This page cannot be opened that way: go back and follow the link again.",
        ),
        StatusCode::TOO_MANY_REQUESTS => ctx.t(
            "Troppe richieste da questo indirizzo: riprova fra poco.",
            "Too many requests from this address: try again shortly.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ctx.t("Il modulo è troppo grande.", "The form is too large.")
        }
        s if s.is_server_error() => ctx.t(
            "Qualcosa non ha funzionato da parte nostra: riprova fra poco.",
            "Something went wrong on our side: try again shortly.",
        ),
        _ => ctx.t(
            "La richiesta non è valida: torna indietro e riprova.",
            "The request is not valid: go back and try again.",
        ),
    };
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut page = ctx.error(&pages.templates, status, message);
    if let Some(value) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, value);
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn browser() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            "text/html,application/xhtml+xml,*/*;q=0.8".parse().unwrap(),
        );
        headers
    }

    #[test]
    fn only_a_browser_asking_for_a_page_gets_a_page() {
        assert!(is_page_request("/no-such-page", &browser()));
        assert!(is_page_request("/events/not-an-id", &browser()));
        assert!(!is_page_request("/api/v1/nothing", &browser()));
        assert!(!is_page_request("/calendar.ics", &browser()));
        assert!(!is_page_request("/no-such-page", &HeaderMap::new()));
    }
}
