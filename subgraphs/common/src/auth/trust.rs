//! Which token issuers a service trusts, as its configuration says: the users
//! service (customers and admins) and the services allowed to call it.

use std::str::FromStr;

use super::authenticator::Authenticator;
use super::verifier::JwtVerifier;

/// Where the users service publishes its keys by default.
pub const DEFAULT_USERS_JWKS_URL: &str = "http://127.0.0.1:4001/.well-known/jwks.json";
/// Where the orders service publishes the keys of its service tokens by default.
pub const DEFAULT_ORDERS_JWKS_URL: &str = "http://127.0.0.1:4004/.well-known/jwks.json";

/// A service whose service tokens are accepted: `NAME=JWKS_URL` on command lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedService {
    pub name: String,
    pub jwks_url: String,
}

impl TrustedService {
    pub fn new(name: impl Into<String>, jwks_url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            jwks_url: jwks_url.into(),
        }
    }

    /// The orders service at its default address: the checkout calls inventory
    /// and payments.
    pub fn default_orders() -> Self {
        Self::new("orders", DEFAULT_ORDERS_JWKS_URL)
    }
}

impl std::fmt::Display for TrustedService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.name, self.jwks_url)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "expected NAME=JWKS_URL, e.g. orders=http://127.0.0.1:4004/.well-known/jwks.json; got {0:?}"
)]
pub struct InvalidTrustedService(String);

impl FromStr for TrustedService {
    type Err = InvalidTrustedService;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once('=') {
            Some((name, url))
                if !name.trim().is_empty()
                    && (url.starts_with("http://") || url.starts_with("https://")) =>
            {
                Ok(Self::new(name.trim(), url))
            }
            _ => Err(InvalidTrustedService(text.to_owned())),
        }
    }
}

/// The authenticator of `service`: customers' tokens from the users service's keys
/// at `users_jwks_url`, service tokens from each of `trusted`.
pub fn authenticator(
    service: &str,
    users_jwks_url: &str,
    trusted: &[TrustedService],
) -> Authenticator {
    trusted.iter().fold(
        Authenticator::new(service).users(JwtVerifier::from_jwks_url(users_jwks_url)),
        |auth, t| auth.trust_service(&t.name, &t.jwks_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_services_parse() {
        let parsed: TrustedService = "orders=http://10.0.0.4:4004/.well-known/jwks.json"
            .parse()
            .unwrap();
        assert_eq!(parsed.name, "orders");
        assert_eq!(
            parsed.jwks_url,
            "http://10.0.0.4:4004/.well-known/jwks.json"
        );
        for bad in ["orders", "=http://x", "orders=ftp://x", ""] {
            assert!(bad.parse::<TrustedService>().is_err(), "{bad}");
        }
    }
}
