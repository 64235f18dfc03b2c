//! JWT authentication (`authentication.jwt`): where keys come from, which algorithms, where the token is.

use std::path::PathBuf;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// Who the client is. Off unless a section below is given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuthenticationConfig {
    /// JWT authentication: a request with no token is served anonymously; one
    /// with a token that does not verify gets HTTP 401 (`UNAUTHENTICATED`) and no
    /// subgraph is called; a valid token's claims are kept with the request. The
    /// token (its header) is still forwarded to subgraphs as `headers.forward`
    /// says.
    pub jwt: Option<JwtConfig>,
}

/// JWT verification against public keys published as JSON Web Key Sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// Where the verification keys come from (at least one). A token names its
    /// key by `kid`; a token without `kid` is tried against every key of its
    /// algorithm.
    pub jwks: Vec<JwksSource>,
    /// Signing algorithms accepted (the token header's `alg`). Symmetric (HS*)
    /// algorithms are not supported.
    #[serde(default = "JwtConfig::default_algorithms")]
    pub algorithms: Vec<JwtAlgorithm>,
    /// Accepted `iss` values; empty accepts any issuer (and none).
    #[serde(default)]
    pub issuers: Vec<String>,
    /// Accepted `aud` values (a token must name one of them); empty does not
    /// check the audience.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "JwtConfig::default_leeway_secs")]
    pub leeway_secs: u64,
    /// The request header the token is read from.
    #[serde(default)]
    pub header: JwtHeaderConfig,
    /// A cookie the token is read from when the header carries none. Unset: no
    /// cookie is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<String>,
    /// Verified tokens remembered (by their SHA-256), so that a token seen again
    /// is not verified again: its claims are reused until its `exp` (plus
    /// `leeway_secs`) passes or the key sets change. Least recently used are
    /// forgotten first; 0 verifies every request.
    #[serde(default = "JwtConfig::default_cache_size")]
    pub cache_size: usize,
}

impl JwtConfig {
    /// Verification against `jwks` with every other setting at its default.
    pub fn new(jwks: Vec<JwksSource>) -> Self {
        JwtConfig {
            jwks,
            algorithms: Self::default_algorithms(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway_secs: Self::default_leeway_secs(),
            header: JwtHeaderConfig::default(),
            cookie: None,
            cache_size: Self::default_cache_size(),
        }
    }

    fn default_algorithms() -> Vec<JwtAlgorithm> {
        vec![
            JwtAlgorithm::EdDSA,
            JwtAlgorithm::RS256,
            JwtAlgorithm::RS384,
            JwtAlgorithm::RS512,
            JwtAlgorithm::PS256,
            JwtAlgorithm::PS384,
            JwtAlgorithm::PS512,
            JwtAlgorithm::ES256,
            JwtAlgorithm::ES384,
        ]
    }

    fn default_leeway_secs() -> u64 {
        60
    }

    fn default_cache_size() -> usize {
        10_000
    }
}

/// One JSON Web Key Set: fetched from a URL (at start, then every
/// `refresh_interval_secs`, and when a token names an unknown key), or read once
/// from a file at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum JwksSource {
    Url(JwksUrl),
    File(JwksFile),
}

/// A JWKS fetched over HTTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwksUrl {
    /// URL of the JWKS (for example `https://issuer/.well-known/jwks.json`).
    pub url: String,
    /// Seconds between background refetches.
    #[serde(default = "JwksUrl::default_refresh_interval_secs")]
    pub refresh_interval_secs: u64,
}

impl JwksUrl {
    /// `url`, refreshed at the default interval.
    pub fn new(url: impl Into<String>) -> Self {
        JwksUrl {
            url: url.into(),
            refresh_interval_secs: Self::default_refresh_interval_secs(),
        }
    }

    fn default_refresh_interval_secs() -> u64 {
        300
    }

    pub fn refresh_interval(&self) -> Duration {
        Duration::from_secs(self.refresh_interval_secs)
    }
}

/// A JWKS read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwksFile {
    /// Path of a JWKS file (relative to the config file). Read at start only; a
    /// file that cannot be read or parsed stops the router from starting.
    pub file: PathBuf,
}

/// A JWS signing algorithm (asymmetric).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum JwtAlgorithm {
    EdDSA,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
}

/// Where in the request the token is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct JwtHeaderConfig {
    /// Header name (case-insensitive).
    pub name: String,
    /// Scheme before the token (`Bearer <token>`), compared case-insensitively;
    /// empty: the whole value is the token. A header with another scheme (say
    /// `Basic`) is not a JWT: the request stays anonymous.
    pub prefix: String,
}

impl Default for JwtHeaderConfig {
    fn default() -> Self {
        Self {
            name: "authorization".to_owned(),
            prefix: "Bearer".to_owned(),
        }
    }
}

impl JwtConfig {
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        let invalid = |message: &str| {
            Err(ConfigError::Invalid(format!(
                "authentication.jwt: {message}"
            )))
        };
        if self.jwks.is_empty() {
            return invalid("`jwks` needs at least one key set");
        }
        if self.algorithms.is_empty() {
            return invalid("`algorithms` needs at least one algorithm");
        }
        for source in &self.jwks {
            if let JwksSource::Url(JwksUrl {
                url,
                refresh_interval_secs,
            }) = source
            {
                if *refresh_interval_secs == 0 {
                    return invalid("`refresh_interval_secs` must be positive");
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return invalid(&format!("JWKS URL {url:?} is not an http(s) URL"));
                }
            }
        }
        if http::HeaderName::from_bytes(self.header.name.as_bytes()).is_err() {
            return invalid(&format!(
                "{:?} is not a valid HTTP header name",
                self.header.name
            ));
        }
        if self.cookie.as_deref().is_some_and(str::is_empty) {
            return invalid("`cookie` must not be empty");
        }
        Ok(())
    }
}
