//! The client's address for subgraphs: appended to `X-Forwarded-For` on every
//! subgraph request (`headers.forward_client_address`), as reverse proxies do, so
//! that a subgraph can apply per-client limits (sign-in attempts, say) although
//! every request reaches it from the router. A subgraph that trusts the router
//! takes the right-most address; what a client wrote into its own
//! `X-Forwarded-For` stays to the left of it and changes nothing.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue};

pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Extractor: the peer's address, known when the router serves with connection
/// info (`Router::serve` does); never rejects.
pub struct PeerAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| *addr),
        ))
    }
}

/// `X-Forwarded-For` for the subgraph requests of a client request from `peer`:
/// the client's own value(s), then the peer's address.
pub fn forwarded_for(client_headers: &HeaderMap, peer: SocketAddr) -> Option<HeaderValue> {
    let mut value = String::new();
    for earlier in client_headers.get_all(&X_FORWARDED_FOR) {
        if let Ok(text) = earlier.to_str() {
            value.push_str(text.trim());
            value.push_str(", ");
        }
    }
    value.push_str(&peer.ip().to_canonical().to_string());
    HeaderValue::from_str(&value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peer_is_appended_to_what_the_client_sent() {
        let peer: SocketAddr = "203.0.113.7:5123".parse().unwrap();
        assert_eq!(
            forwarded_for(&HeaderMap::new(), peer).unwrap(),
            "203.0.113.7"
        );
        let mut headers = HeaderMap::new();
        headers.append(X_FORWARDED_FOR, HeaderValue::from_static("6.6.6.6"));
        headers.append(X_FORWARDED_FOR, HeaderValue::from_static("10.0.0.1 "));
        assert_eq!(
            forwarded_for(&headers, peer).unwrap(),
            "6.6.6.6, 10.0.0.1, 203.0.113.7"
        );
        let v4_mapped: SocketAddr = "[::ffff:198.51.100.2]:80".parse().unwrap();
        assert_eq!(
            forwarded_for(&HeaderMap::new(), v4_mapped).unwrap(),
            "198.51.100.2"
        );
    }
}
