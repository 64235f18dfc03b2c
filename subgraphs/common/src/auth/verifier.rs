//! Verifying JWTs against the public keys their issuer publishes as a JWKS.
//!
//! Tokens are signed with an asymmetric key (EdDSA); the issuer publishes the
//! public half at `/.well-known/jwks.json`. A verifier checks one issuer's tokens
//! (and, for service tokens, that they are meant for this service), so no secret is
//! shared between services.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, RwLock};

use super::claims::{Claims, ISSUER};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("token signed by an unknown key")]
    UnknownKey,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("cannot fetch signing keys from {url}: {reason}")]
    Jwks { url: String, reason: String },
}

/// Verifies one issuer's tokens against a key set, either given once or fetched
/// from a JWKS URL. A token with an unknown key id triggers one refetch (keys
/// rotate; a service's key changes when it restarts), rate-limited so that a flood
/// of forged tokens cannot turn into a flood of JWKS requests.
pub struct JwtVerifier {
    jwks_url: Option<String>,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, Arc<DecodingKey>>>,
    /// When the set was last fetched; held while fetching so that one request
    /// fetches and the others wait for its result, while readers of `keys` go on.
    fetched_at: Mutex<Option<Instant>>,
    issuer: String,
    audience: Option<String>,
}

const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(5);

impl JwtVerifier {
    /// A verifier of the users service's tokens that loads (and reloads on unknown
    /// key ids) the set at `url`.
    pub fn from_jwks_url(url: impl Into<String>) -> Self {
        Self::new(Some(url.into()), HashMap::new())
    }

    /// A verifier of the users service's tokens for a fixed key set (the users
    /// service verifies its own tokens so).
    pub fn from_jwk_set(set: &JwkSet) -> Result<Self, AuthError> {
        Ok(Self::new(None, decode_set(set)?))
    }

    fn new(jwks_url: Option<String>, keys: HashMap<String, Arc<DecodingKey>>) -> Self {
        Self {
            jwks_url,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            keys: RwLock::new(keys),
            fetched_at: Mutex::new(None),
            issuer: ISSUER.to_owned(),
            audience: None,
        }
    }

    /// Accept tokens of `issuer` (instead of the users service's) addressed to
    /// `audience`.
    pub fn for_issuer(mut self, issuer: impl Into<String>, audience: Option<String>) -> Self {
        self.issuer = issuer.into();
        self.audience = audience;
        self
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Checks signature, algorithm, issuer and expiry of a customer token, and
    /// returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        self.verify_as(token).await
    }

    /// Checks signature, algorithm, issuer, audience (when set) and expiry, and
    /// returns the claims as `T`.
    pub async fn verify_as<T: DeserializeOwned>(&self, token: &str) -> Result<T, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| AuthError::Malformed(e.to_string()))?;
        let kid = header
            .kid
            .ok_or_else(|| AuthError::Malformed("no key id (kid)".into()))?;
        let key = match self.cached_key(&kid).await {
            Some(key) => key,
            None => {
                self.refresh().await?;
                self.cached_key(&kid).await.ok_or(AuthError::UnknownKey)?
            }
        };
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
            }
            None => validation.set_required_spec_claims(&["exp", "iss", "sub"]),
        }
        jsonwebtoken::decode::<T>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| AuthError::Invalid(e.to_string()))
    }

    async fn cached_key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        self.keys.read().await.get(kid).cloned()
    }

    /// Fetches the key set again unless it was fetched moments ago. The key map is
    /// locked only to swap the new set in, never across the HTTP request.
    async fn refresh(&self) -> Result<(), AuthError> {
        let Some(url) = &self.jwks_url else {
            return Ok(());
        };
        let mut fetched_at = self.fetched_at.lock().await;
        if fetched_at.is_some_and(|at| at.elapsed() < MIN_REFETCH_INTERVAL) {
            return Ok(());
        }
        *fetched_at = Some(Instant::now());
        let jwks_error = |reason: String| AuthError::Jwks {
            url: url.clone(),
            reason,
        };
        let response = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| jwks_error(e.to_string()))?;
        if !response.status().is_success() {
            return Err(jwks_error(format!("HTTP {}", response.status())));
        }
        let set: JwkSet = response
            .json()
            .await
            .map_err(|e| jwks_error(e.to_string()))?;
        let keys = decode_set(&set)?;
        *self.keys.write().await = keys;
        Ok(())
    }
}

fn decode_set(set: &JwkSet) -> Result<HashMap<String, Arc<DecodingKey>>, AuthError> {
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|e| AuthError::Malformed(format!("JWK {kid}: {e}")))?;
        keys.insert(kid, Arc::new(key));
    }
    Ok(keys)
}
