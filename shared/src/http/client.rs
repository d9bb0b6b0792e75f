//! Who sent a request, as far as the server can tell: the first `X-Forwarded-For` address when a
//! proxy set one, else the peer address. Used for consent records and rate limits.

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};
use std::{convert::Infallible, net::SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty() && v.len() <= 64);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        Ok(ClientAddress(forwarded.or(peer)))
    }
}
