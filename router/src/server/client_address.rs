//! The client's address for subgraphs: appended to `X-Forwarded-For` on every
//! subgraph request (`headers.forward_client_address`), as reverse proxies do, so
//! that a subgraph can apply per-client limits (sign-in attempts, say) although
//! every request reaches it from the router. A subgraph that trusts the router
//! takes the right-most address; what a client wrote into its own
//! `X-Forwarded-For` stays to the left of it and changes nothing.
//!
//! The router itself reads `X-Forwarded-For` the same way when it stands behind
//! proxies (`rate_limit.trusted_proxies`): [`client_ip`].

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

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

/// The client's address of a request from `peer`: the peer itself, unless it
/// is one of the `trusted` proxies; then, walking `X-Forwarded-For` from the
/// right (the hop the peer appended), the first address that is not a trusted
/// proxy. An entry that is not an address stops the walk at the last address
/// established; when every hop is trusted, the left-most is the client.
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|net| net.contains(&address));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let values: Vec<&HeaderValue> = headers.get_all(&X_FORWARDED_FOR).iter().collect();
    for value in values.into_iter().rev() {
        let Ok(text) = value.to_str() else {
            return client;
        };
        for hop in text.rsplit(',') {
            let Some(address) = parse_hop(hop.trim()) else {
                return client;
            };
            client = address.to_canonical();
            if !is_trusted(client) {
                return client;
            }
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port
/// (`198.51.100.2:5123`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_forwarded_for_counts_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        let with = |values: &[&'static str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(X_FORWARDED_FOR, HeaderValue::from_static(value));
            }
            headers
        };
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        // An untrusted peer is the client, whatever it writes.
        assert_eq!(
            client_ip(&with(&["198.51.100.1"]), stranger, &trusted),
            stranger
        );
        // Nothing trusted (the default): the peer.
        assert_eq!(client_ip(&with(&["198.51.100.1"]), proxy, &[]), proxy);
        // The right-most untrusted hop; spoofed entries to its left change nothing.
        assert_eq!(
            client_ip(&with(&["6.6.6.6, 198.51.100.1"]), proxy, &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(
                &with(&["6.6.6.6", "198.51.100.1, 10.9.9.9"]),
                proxy,
                &trusted
            ),
            ip("198.51.100.1")
        );
        // Ports, brackets and IPv4-mapped IPv6.
        assert_eq!(
            client_ip(&with(&["[2001:db8::7]:443"]), ip("::1"), &trusted),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_ip(
                &with(&["198.51.100.4:5123"]),
                ip("::ffff:10.0.0.1"),
                &trusted
            ),
            ip("198.51.100.4")
        );
        // A garbage entry stops the walk at the last address known.
        assert_eq!(
            client_ip(&with(&["198.51.100.1, unknown, 10.0.0.2"]), proxy, &trusted),
            ip("10.0.0.2")
        );
        // Every hop trusted, or no header: the left-most known address.
        assert_eq!(
            client_ip(&with(&["10.0.0.5, 10.0.0.6"]), proxy, &trusted),
            ip("10.0.0.5")
        );
        assert_eq!(client_ip(&HeaderMap::new(), proxy, &trusted), proxy);
    }

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
