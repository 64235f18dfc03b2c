//! Per-client rate limiting of `/graphql` (`rate_limit` in the config), keyed by
//! the client's address (`key: client_address`, checked before anything else) or
//! by the verified token's subject (`key: subject`: the token is verified first,
//! and requests without a subject fall back to the address). The address is the
//! TCP peer's, or, from a trusted proxy, the one `X-Forwarded-For` names
//! ([`client_address::client_ip`]). GCRA (`governor`): a limit of N per PERIOD
//! lets a client send N at once, then one more every PERIOD/N. A client over it
//! gets HTTP 429 with `Retry-After` (whole seconds, rounded up) and the code
//! `RATE_LIMITED`.
//!
//! Memory: every [`CLEANUP_EVERY`] checks the limiter forgets the clients whose
//! budget is full again, so what it holds is the clients seen within about one
//! period (plus at most [`CLEANUP_EVERY`] newer ones), not every address ever seen.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use ipnet::IpNet;

use super::client_address::{self, PeerAddr};
use super::negotiation::ResponseFormat;
use super::{Authenticated, response, unauthenticated};
use crate::authentication::Claims;
use crate::config::RateLimitKey;
use crate::router::RouterInner;

/// Housekeeping (`retain_recent`) runs once every this many checks.
const CLEANUP_EVERY: u32 = 1024;

/// Who a budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// A client address, as [`client_key`] reduces it.
    Address(IpAddr),
    /// A verified token's issuer (empty without `iss`) and subject.
    Subject { issuer: Box<str>, subject: Box<str> },
}

impl ClientKey {
    /// The subject key of verified claims, if they have a `sub` (a string, or
    /// any other JSON value by its text).
    pub fn of_claims(claims: &Claims) -> Option<Self> {
        let text = |value: &serde_json::Value| match value {
            serde_json::Value::String(text) => text.as_str().into(),
            other => other.to_string().into_boxed_str(),
        };
        let subject = text(claims.get("sub")?);
        let issuer = claims.get("iss").map_or_else(|| "".into(), text);
        Some(ClientKey::Subject { issuer, subject })
    }
}

/// A request budget per client (address or subject).
pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<ClientKey>,
    clock: DefaultClock,
    checks: AtomicU32,
    key: RateLimitKey,
    trusted_proxies: Vec<IpNet>,
}

impl ClientLimiter {
    /// `requests` per `period` (positive) for each client address.
    pub fn new(requests: NonZeroU32, period: Duration) -> Self {
        Self::keyed(requests, period, RateLimitKey::ClientAddress, Vec::new())
    }

    /// `requests` per `period` (positive) for each client as `key` says; the
    /// client address honours `X-Forwarded-For` from `trusted_proxies`.
    pub fn keyed(
        requests: NonZeroU32,
        period: Duration,
        key: RateLimitKey,
        trusted_proxies: Vec<IpNet>,
    ) -> Self {
        let interval = (period / requests.get()).max(Duration::from_nanos(1));
        let quota = Quota::with_period(interval)
            .expect("a positive interval")
            .allow_burst(requests);
        Self {
            limiter: RateLimiter::dashmap(quota),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
            key,
            trusted_proxies,
        }
    }

    /// Counts one request of the client at `address`; when its budget is used up,
    /// how long until it may send again.
    pub fn check(&self, address: IpAddr) -> Result<(), Duration> {
        self.check_key(&ClientKey::Address(client_key(address)))
    }

    /// The client address of a request from `peer` (see
    /// [`client_address::client_ip`]).
    pub fn client_ip(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        client_address::client_ip(headers, peer, &self.trusted_proxies)
    }

    /// Counts one request of `key`; when its budget is used up, how long until it
    /// may send again.
    pub fn check_key(&self, key: &ClientKey) -> Result<(), Duration> {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(CLEANUP_EVERY)
        {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Clients currently held in memory.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }

    /// Forgets the clients whose budget is full again (done every
    /// [`CLEANUP_EVERY`] checks anyway).
    pub fn retain_recent(&self) {
        self.limiter.retain_recent();
    }
}

/// The key of a client: its IPv4 address, or its IPv6 /64 network (one host
/// commonly holds a whole /64 and could otherwise take a fresh budget per
/// address). IPv4-mapped IPv6 addresses count as IPv4.
pub fn client_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(network))
        }
    }
}

/// `Retry-After` in whole seconds: rounded up, at least 1.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

/// Middleware on `/graphql`: refuses a client over its limit before anything
/// of its request is read. With `key: subject` the token is verified first (and
/// its claims handed on, [`Authenticated`], so they are not verified twice); a
/// token that does not verify counts against the client address, then gets 401.
/// A request without a known peer address (the app served without connection
/// info, as in-process tests do) is limited by subject only.
pub(crate) async fn limit(
    State(inner): State<Arc<RouterInner>>,
    PeerAddr(peer): PeerAddr,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &inner.rate_limiter else {
        return next.run(request).await;
    };
    let address = peer.map(|peer| {
        ClientKey::Address(client_key(limiter.client_ip(request.headers(), peer.ip())))
    });
    let key = match (&limiter.key, &inner.jwt) {
        (RateLimitKey::Subject, Some(jwt)) => match jwt.authenticate(request.headers()).await {
            Ok(claims) => {
                let subject = claims.as_deref().and_then(ClientKey::of_claims);
                request.extensions_mut().insert(Authenticated(claims));
                subject.or(address)
            }
            Err(rejection) => {
                let format = ResponseFormat::from_headers(request.headers());
                if let Some(Err(wait)) = address.as_ref().map(|key| limiter.check_key(key)) {
                    return too_many_requests(wait, format);
                }
                return unauthenticated(&rejection, format);
            }
        },
        _ => address,
    };
    match key.map_or(Ok(()), |key| limiter.check_key(&key)) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many_requests(wait, ResponseFormat::from_headers(request.headers())),
    }
}

/// 429 with `Retry-After` and `RATE_LIMITED`.
fn too_many_requests(wait: Duration, format: ResponseFormat) -> Response {
    let seconds = retry_after_seconds(wait);
    let mut refusal = response::error(
        StatusCode::TOO_MANY_REQUESTS,
        format,
        &format!("Too many requests from this client: try again in {seconds} s"),
        "RATE_LIMITED",
    );
    refusal
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    refusal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_counts_and_clients_are_independent() {
        let limiter = ClientLimiter::new(NonZeroU32::new(3).unwrap(), Duration::from_secs(3600));
        let alice: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..3 {
            limiter.check(alice).unwrap();
        }
        let wait = limiter.check(alice).unwrap_err();
        assert!(wait > Duration::from_secs(1000), "{wait:?}");
        limiter.check("203.0.113.8".parse().unwrap()).unwrap();
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(other));
        assert_eq!(
            client_key("::ffff:198.51.100.2".parse().unwrap()),
            "198.51.100.2".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn subjects_have_their_own_budgets_per_issuer() {
        let limiter = ClientLimiter::keyed(
            NonZeroU32::new(1).unwrap(),
            Duration::from_secs(3600),
            RateLimitKey::Subject,
            Vec::new(),
        );
        let claims = |value: serde_json::Value| {
            ClientKey::of_claims(value.as_object().unwrap()).expect("a subject")
        };
        let alice = claims(serde_json::json!({"iss": "a", "sub": "alice"}));
        limiter.check_key(&alice).unwrap();
        limiter.check_key(&alice).unwrap_err();
        limiter
            .check_key(&claims(serde_json::json!({"iss": "b", "sub": "alice"})))
            .unwrap();
        limiter
            .check_key(&claims(serde_json::json!({"sub": 7})))
            .unwrap();
        assert_eq!(ClientKey::of_claims(&Claims::new()), None);
    }

    #[test]
    fn retry_after_is_rounded_up_to_at_least_a_second() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(3)), 3);
    }

    #[test]
    fn clients_with_a_full_budget_again_are_forgotten() {
        // One request per nanosecond: every budget is full again by housekeeping.
        let limiter = ClientLimiter::new(NonZeroU32::new(1).unwrap(), Duration::from_nanos(1));
        for last in 0..=255u8 {
            limiter
                .check(IpAddr::from([198, 51, 100, last]))
                .expect("a fresh client");
        }
        std::thread::sleep(Duration::from_millis(1));
        limiter.retain_recent();
        assert!(limiter.is_empty(), "{} clients kept", limiter.len());
    }
}
