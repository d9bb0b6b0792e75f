//! Reading the cookies a request carries, for the session ([`super::session`]) and the chosen
//! language ([`super::i18n`]) alike.

use axum::http::{HeaderMap, header};

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_read_by_name() {
        let mut map = HeaderMap::new();
        map.append(
            "cookie",
            HeaderValue::from_static("a=1; piazza_session=tok; b=2"),
        );
        assert_eq!(cookie(&map, "piazza_session"), Some("tok"));
        assert_eq!(cookie(&map, "c"), None);
    }
}
