//! Where a form POST came from, as the browser tells it — the one reading every page's form uses
//! (CSRF defence). Two headers say it, and neither can be set by a page's script:
//!
//! - `Sec-Fetch-Site` is the browser's own verdict: `same-origin` for a form on one of our
//!   pages, `same-site` or `cross-site` for a form on another site's page.
//! - `Origin` names the page's origin — unless the browser withholds it: with our
//!   `Referrer-Policy: no-referrer`, Chromium sends `Origin: null` even for our own forms, and
//!   so do sandboxed frames and `data:` pages. `null` therefore says nothing about who sent the
//!   form: it is *unknown*, not another site. (`Referer`, when a page sends one, is read the same
//!   way as `Origin`.)
//!
//! So a form is [`FormSource::OtherSite`] when either header shows another site, [`OwnSite`] when
//! one shows ours, and [`Unknown`] when the browser says nothing usable: `Origin: null` without
//! `Sec-Fetch-Site` (browsers before 2023, or plain `http` away from localhost, where browsers
//! send no `Sec-Fetch-*`), or a POST not made by a browser at all (a mail provider's RFC 8058
//! one-click unsubscribe, a tool).
//!
//! What a form does with that depends on what authorises it. A signed-in page's form rides on
//! the session cookie, which the browser adds by itself: it refuses another site and also needs
//! the CSRF token bound to the session, which another site can neither read nor forge. A form
//! reached from an email link (confirm, preferences, unsubscribe, free my place) is authorised by
//! the signed token in its own address, which the browser does not add: a page that could send
//! it holds the token already, and could use it without anyone's browser. There an unknown source
//! passes — refusing it is what broke those buttons under `Origin: null` — and only a form shown
//! to come from another site is refused.
//!
//! [`OwnSite`]: FormSource::OwnSite
//! [`Unknown`]: FormSource::Unknown

use axum::http::{HeaderMap, header};
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

/// Where a form POST came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormSource {
    /// One of Piazza's own pages.
    OwnSite,
    /// A page of another site, and why we know.
    OtherSite(String),
    /// The browser does not say (or it was not a browser).
    Unknown,
}

impl FormSource {
    pub fn is_other_site(&self) -> bool {
        matches!(self, FormSource::OtherSite(_))
    }
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `host[:port]` of a URL, as a `Host` header would name it.
fn authority(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Whether the page at `source` (an origin or a referring URL) is ours: the public address, or
/// the address the request was sent to (the listen address, or a proxy's `X-Forwarded-Host`).
fn is_own(source: &str, headers: &HeaderMap, public: &str) -> Option<bool> {
    let url = Url::parse(source).ok()?;
    if url.origin().ascii_serialization() == public {
        return Some(true);
    }
    let authority = authority(&url)?;
    Some(
        ["x-forwarded-host", "host"]
            .iter()
            .filter_map(|name| text(headers, name))
            .any(|host| authority.eq_ignore_ascii_case(host.trim())),
    )
}

/// Reads where the form POST with `headers` came from; `public` is [`PublicOrigin`]'s value.
pub fn form_source(headers: &HeaderMap, public: &str) -> FormSource {
    let fetch_site = text(headers, "sec-fetch-site");
    if let Some(site @ ("cross-site" | "same-site")) = fetch_site {
        return FormSource::OtherSite(format!("the browser says the form came from a {site} page"));
    }
    // `null` is a withheld origin, not a page of another site.
    let named = text(headers, header::ORIGIN.as_str())
        .filter(|origin| *origin != "null")
        .or_else(|| text(headers, header::REFERER.as_str()));
    match named.map(|source| (source, is_own(source, headers, public))) {
        Some((source, Some(false))) => {
            FormSource::OtherSite(format!("the form was sent from {source}"))
        }
        Some((_, Some(true))) => FormSource::OwnSite,
        _ if fetch_site == Some("same-origin") => FormSource::OwnSite,
        _ => FormSource::Unknown,
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
    fn a_form_from_another_site_is_named_so() {
        for pairs in [
            &[
                ("origin", "https://evil.example"),
                ("host", "piazza.comune.cremona.it"),
            ][..],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site"), ("origin", "null")],
            // Another site's sandboxed frame: a withheld origin, but the browser still says.
            &[("origin", "null"), ("sec-fetch-site", "cross-site")],
            &[
                ("referer", "https://evil.example/page"),
                ("host", "piazza.comune.cremona.it"),
            ],
        ] {
            assert!(
                form_source(&headers(pairs), PUBLIC).is_other_site(),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn our_own_forms_are_ours_even_when_the_browser_withholds_the_origin() {
        for pairs in [
            &[("origin", "https://piazza.comune.cremona.it")][..],
            // Reached at its listen address, the page's origin is that address.
            &[
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080"),
            ],
            // Behind a proxy that names the public host.
            &[
                ("origin", "https://piazza.example"),
                ("host", "notifier:8080"),
                ("x-forwarded-host", "piazza.example"),
            ],
            &[("sec-fetch-site", "same-origin")],
            // Chromium under `Referrer-Policy: no-referrer`.
            &[("origin", "null"), ("sec-fetch-site", "same-origin")],
        ] {
            assert_eq!(
                form_source(&headers(pairs), PUBLIC),
                FormSource::OwnSite,
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn a_withheld_origin_or_no_browser_at_all_is_unknown() {
        // A mail provider's one-click POST carries no browser headers.
        assert_eq!(form_source(&HeaderMap::new(), PUBLIC), FormSource::Unknown);
        // An older browser, or plain http away from localhost: `null` and nothing else.
        assert_eq!(
            form_source(&headers(&[("origin", "null")]), PUBLIC),
            FormSource::Unknown
        );
    }
}
