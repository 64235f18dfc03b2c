//! The address of the client a request comes from, for per-client rate limits.
//!
//! Behind the router every request arrives from the router's address; the router
//! appends the address it saw to `X-Forwarded-For`. That header is believed only
//! from trusted proxies (loopback by default, configurable): the client is the
//! right-most address in the header that is not itself a trusted proxy. A client
//! that writes its own `X-Forwarded-For` only adds entries to the left of the ones
//! the proxies append, so it cannot choose which address it is counted as.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts};
use http::HeaderMap;
use http::request::Parts;
use ipnet::IpNet;

/// The client's address as far as it can be told; `None` when the server runs
/// without connection info (requests made in-process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub Option<IpAddr>);

/// The networks whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl Default for TrustedProxies {
    /// Loopback: the router and the services share a host in development.
    fn default() -> Self {
        Self(vec![
            IpNet::from_str("127.0.0.0/8").expect("valid network"),
            IpNet::from_str("::1/128").expect("valid network"),
        ])
    }
}

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request from `peer` with `headers`.
    pub fn client_ip(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> ClientIp {
        let Some(peer) = peer.map(|p| p.ip()) else {
            return ClientIp(None);
        };
        if !self.trusts(peer) {
            return ClientIp(Some(peer));
        }
        let mut client = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                // Garbage: nothing further left can be believed.
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        ClientIp(Some(client))
    }
}

/// Extractor: the peer address axum records when served with connection info
/// ([`crate::server::serve`] does), `None` otherwise; never rejects a request.
pub struct PeerAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| *addr),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in xff {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn peer(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().unwrap(), 5000))
    }

    fn ip(text: &str) -> ClientIp {
        ClientIp(Some(text.parse().unwrap()))
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let proxies = TrustedProxies::default();
        assert_eq!(
            proxies.client_ip(peer("203.0.113.9"), &headers(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
        let proxies = TrustedProxies::default();
        // The client forged the first entry; the router appended the real one.
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), &headers(&["6.6.6.6, 203.0.113.9"])),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), &headers(&["6.6.6.6", "203.0.113.9"])),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), &headers(&[])),
            ip("127.0.0.1")
        );
        assert_eq!(
            proxies.client_ip(peer("127.0.0.1"), &headers(&["not an address"])),
            ip("127.0.0.1")
        );
        assert_eq!(proxies.client_ip(None, &headers(&[])), ClientIp(None));
    }

    #[test]
    fn several_trusted_hops_are_skipped() {
        let proxies = TrustedProxies::new(vec![
            "10.0.0.0/8".parse().unwrap(),
            "127.0.0.0/8".parse().unwrap(),
        ]);
        assert_eq!(
            proxies.client_ip(
                peer("10.1.1.1"),
                &headers(&["198.51.100.7, 10.2.2.2, 127.0.0.1"])
            ),
            ip("198.51.100.7")
        );
    }
}
