//! Rate limits, router-wide and per client (`rate_limit`).

use std::num::NonZeroU32;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Per-client rate limiting of `/graphql`. Off by default (no `per_client`).
/// A client over its limit gets HTTP 429 with `Retry-After` and the error code
/// `RATE_LIMITED`. `/health` is never limited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Requests a client may send per period: `"100/1s"` (a count, a slash and a
    /// duration such as `500ms`, `1s`, `1m`, `1h`) or `{requests, period_ms}`. A
    /// client may send `requests` at once, then one more every `period / requests`.
    pub per_client: Option<PerClientLimit>,
    /// What a client is: `client_address` (default) or `subject`.
    pub key: RateLimitKey,
    /// Reverse proxies (CIDRs such as `10.0.0.0/8` or `192.0.2.7/32`) whose
    /// `X-Forwarded-For` is believed: when the connecting peer is one of them, the
    /// client's address is the right-most address of `X-Forwarded-For` that is
    /// not a trusted proxy (what a client wrote to the left of it changes
    /// nothing). Empty (default): the client's address is the connecting peer.
    pub trusted_proxies: Vec<String>,
}

/// A number of requests per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PerClientLimit {
    /// `COUNT/DURATION`, e.g. `100/1s` or `1000/1m`.
    Text(String),
    Fields(RequestsPerPeriod),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsPerPeriod {
    pub requests: u32,
    pub period_ms: u64,
}

impl PerClientLimit {
    /// The count (at least 1) and the period (positive).
    pub fn parse(&self) -> Result<(NonZeroU32, Duration), String> {
        let (requests, period) = match self {
            PerClientLimit::Text(text) => {
                let invalid = || {
                    format!("rate_limit.per_client {text:?} is not COUNT/DURATION (e.g. 100/1s)")
                };
                let (count, period) = text.split_once('/').ok_or_else(invalid)?;
                let count: u32 = count.trim().parse().map_err(|_| invalid())?;
                let period = humantime::parse_duration(period.trim()).map_err(|_| invalid())?;
                (count, period)
            }
            PerClientLimit::Fields(fields) => {
                (fields.requests, Duration::from_millis(fields.period_ms))
            }
        };
        let requests = NonZeroU32::new(requests)
            .ok_or_else(|| "rate_limit.per_client: the count must be at least 1".to_owned())?;
        if period.is_zero() {
            return Err("rate_limit.per_client: the period must be positive".into());
        }
        Ok((requests, period))
    }
}

impl RateLimitConfig {
    /// `trusted_proxies` parsed; an error names the entry that is not a CIDR (a
    /// bare address is taken as a single host).
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                let text = entry.trim();
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        format!(
                            "rate_limit.trusted_proxies: {entry:?} is not a CIDR (e.g. 10.0.0.0/8)"
                        )
                    })
            })
            .collect()
    }
}

/// What identifies a client for rate limiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitKey {
    /// The address the client connects from (the TCP peer, or the address a
    /// trusted proxy names; an IPv6 client by its /64 network, which one host
    /// usually holds whole). Behind a reverse proxy that is not in
    /// `trusted_proxies` every client shares the proxy's address. Checked before
    /// the token is verified. Also accepted as `address`.
    #[default]
    #[serde(alias = "address")]
    ClientAddress,
    /// The verified token's subject (`sub`, per issuer `iss`), so each user has a
    /// budget wherever they connect from; requests without a token (or whose
    /// token has no `sub`) are counted by client address, and so are requests
    /// whose token does not verify (they are then refused with 401, or 429 when
    /// that address is over its limit). Needs `authentication.jwt`: the token is
    /// verified before the limit is checked.
    Subject,
}
