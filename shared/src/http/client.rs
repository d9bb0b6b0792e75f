//! Who sent a request, as far as the server can tell; used for consent records and rate limits.
//!
//! Each proxy in front of Piazza that is set up to do so *appends* the address it was connected
//! from to `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`), so the entries on the right
//! were written by proxies we run and the ones on the left by whoever sent the request — a
//! client can put anything there. With `http.trusted_proxies` = N, the client is the Nth entry
//! from the right: the address the outermost trusted proxy saw. With N = 0 (clients reach Piazza
//! directly) the header is ignored and the peer address is the client. A header with fewer
//! entries than N (a request that did not pass every proxy) gives its leftmost entry, and one
//! whose chosen entry is not an IP address gives the peer.

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{HeaderMap, request::Parts},
};
use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub Option<String>);

/// How many proxies in front of Piazza append to `X-Forwarded-For` (`http.trusted_proxies`);
/// the listener inserts it into every request.
#[derive(Debug, Clone, Copy)]
pub struct TrustedProxies(pub u32);

/// The client's address from `X-Forwarded-For` when `hops` trusted proxies appended to it.
pub fn forwarded_client(headers: &HeaderMap, hops: u32) -> Option<IpAddr> {
    if hops == 0 {
        return None;
    }
    // Several header lines read as one list, in order (RFC 9110 §5.3).
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let hops = usize::try_from(hops).unwrap_or(usize::MAX);
    let index = entries.len().saturating_sub(hops);
    entries.get(index).and_then(|entry| parse_ip(entry))
}

/// An IP address as proxies write them: `192.0.2.1`, `2001:db8::1`, or `[2001:db8::1]`.
fn parse_ip(entry: &str) -> Option<IpAddr> {
    let bare = entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .unwrap_or(entry);
    bare.parse().ok()
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let hops = parts.extensions.get::<TrustedProxies>().map_or(0, |t| t.0);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let client = forwarded_client(&parts.headers, hops).or(peer);
        Ok(ClientAddress(
            client.map(|ip| ip.to_canonical().to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", HeaderValue::from_static(v));
        }
        map
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn the_address_the_trusted_proxy_appended_wins_over_what_the_client_wrote() {
        // The client wrote 6.6.6.6; our one proxy appended the address it saw.
        let sent = headers(&["6.6.6.6, 203.0.113.7"]);
        assert_eq!(forwarded_client(&sent, 1), ip("203.0.113.7"));
        // Behind a load balancer and the gateway: the balancer appended the client, the
        // gateway the balancer.
        let sent = headers(&["6.6.6.6, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(forwarded_client(&sent, 2), ip("203.0.113.7"));
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(forwarded_client(&headers(&["203.0.113.7"]), 0), None);
    }

    #[test]
    fn a_short_or_odd_header_gives_its_leftmost_entry_or_nothing() {
        assert_eq!(
            forwarded_client(&headers(&["203.0.113.7"]), 3),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(&headers(&["[2001:db8::1]"]), 1),
            ip("2001:db8::1")
        );
        assert_eq!(forwarded_client(&headers(&["unknown"]), 1), None);
        assert_eq!(forwarded_client(&headers(&[]), 1), None);
    }
}
