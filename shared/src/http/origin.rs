//! A same-origin guard for form POSTs from Piazza's pages (CSRF): a browser names the page a
//! form was sent from in `Origin` (or at least in `Sec-Fetch-Site`), so a POST that another site
//! made a visitor's browser send is refused with 403. Requests that carry neither header do not
//! come from a browser form and pass: mail providers' RFC 8058 one-click unsubscribe POSTs from
//! their servers, and tools. Put [`SameOrigin`] among the arguments of a handler behind a form.

use super::ApiError;
use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use url::Url;

/// The origin Piazza's pages are served from (`public_url`), which the listener inserts into
/// every request.
#[derive(Debug, Clone)]
pub struct PublicOrigin(pub String);

impl PublicOrigin {
    pub fn of(url: &Url) -> Self {
        Self(url.origin().ascii_serialization())
    }
}

/// Extracting it refuses a cross-site form POST.
#[derive(Debug)]
pub struct SameOrigin;

/// Why `headers` show a request sent by a page of another site; `None` when they do not.
pub fn cross_site(headers: &HeaderMap, public: &str) -> Option<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        // The page's own origin: the public address, or the address it was reached at.
        let own = origin == public
            || Url::parse(origin)
                .ok()
                .and_then(|u| {
                    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
                    u.host_str().map(|h| format!("{h}{port}"))
                })
                .is_some_and(|authority| authority == host);
        return (!own).then(|| format!("the form was sent from {origin}"));
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some("cross-site") | Some("same-site") => {
            Some("the form was sent from another site".into())
        }
        _ => None,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SameOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let public = parts
            .extensions
            .get::<PublicOrigin>()
            .map(|p| p.0.clone())
            .unwrap_or_default();
        match cross_site(&parts.headers, &public) {
            Some(why) => Err(ApiError::Forbidden(format!(
                "{why}; use the page Piazza sent you to"
            ))),
            None => Ok(SameOrigin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const PUBLIC: &str = "https://piazza.comune.cremona.it";

    #[test]
    fn a_form_from_another_site_is_refused() {
        let h = headers(&[
            ("origin", "https://evil.example"),
            ("host", "piazza.comune.cremona.it"),
        ]);
        assert!(cross_site(&h, PUBLIC).is_some());
        let h = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(cross_site(&h, PUBLIC).is_some());
    }

    #[test]
    fn a_form_from_piazza_and_a_one_click_post_pass() {
        let h = headers(&[("origin", "https://piazza.comune.cremona.it")]);
        assert_eq!(cross_site(&h, PUBLIC), None);
        // Reached at its listen address, the page's origin is that address.
        let h = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert_eq!(cross_site(&h, PUBLIC), None);
        let h = headers(&[("sec-fetch-site", "same-origin")]);
        assert_eq!(cross_site(&h, PUBLIC), None);
        // A mail provider's one-click POST carries no browser headers.
        assert_eq!(cross_site(&HeaderMap::new(), PUBLIC), None);
    }
}
