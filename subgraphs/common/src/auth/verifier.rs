//! Verifying the JWTs the users service signs.
//!
//! Tokens are signed with an asymmetric key (EdDSA); the users service publishes the
//! public half as a JWKS at `/.well-known/jwks.json`. Every other service (and the
//! router) verifies tokens from that set, so no secret is shared between services.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

/// The issuer every shop token carries.
pub const ISSUER: &str = "switchyard-users";

/// What a shop token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    pub email: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

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

/// Verifies tokens against a key set, either given once or fetched from a JWKS URL.
/// A token with an unknown key id triggers one refetch (keys rotate), rate-limited so
/// that a flood of forged tokens cannot turn into a flood of JWKS requests.
pub struct JwtVerifier {
    jwks_url: Option<String>,
    client: reqwest::Client,
    keys: RwLock<KeyCache>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
}

const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(5);

impl JwtVerifier {
    /// A verifier that loads (and reloads on unknown key ids) the set at `url`.
    pub fn from_jwks_url(url: impl Into<String>) -> Self {
        Self {
            jwks_url: Some(url.into()),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            keys: RwLock::new(KeyCache::default()),
        }
    }

    /// A verifier for a fixed key set (the users service verifies its own tokens so).
    pub fn from_jwk_set(set: &JwkSet) -> Result<Self, AuthError> {
        let verifier = Self {
            jwks_url: None,
            client: reqwest::Client::new(),
            keys: RwLock::new(KeyCache::default()),
        };
        let keys = decode_set(set)?;
        verifier.keys.try_write().expect("fresh lock").keys = keys;
        Ok(verifier)
    }

    /// Checks signature, algorithm, issuer and expiry, and returns the claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
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
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| AuthError::Invalid(e.to_string()))
    }

    async fn cached_key(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        self.keys.read().await.keys.get(kid).cloned()
    }

    async fn refresh(&self) -> Result<(), AuthError> {
        let Some(url) = &self.jwks_url else {
            return Ok(());
        };
        let mut cache = self.keys.write().await;
        if cache
            .fetched_at
            .is_some_and(|at| at.elapsed() < MIN_REFETCH_INTERVAL)
        {
            return Ok(());
        }
        cache.fetched_at = Some(Instant::now());
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
        cache.keys = decode_set(&set)?;
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

/// Who is calling, as seen by a resolver: put in every GraphQL request's data by the
/// server. `Anonymous` when no token was sent; `Rejected` keeps why a sent token was
/// refused, so that a resolver needing a user can say so instead of "not signed in".
#[derive(Debug, Clone)]
pub enum CurrentUser {
    Anonymous,
    Authenticated(Claims),
    Rejected(String),
}

impl CurrentUser {
    /// The caller's claims, or an `UNAUTHENTICATED` error.
    pub fn require(&self) -> async_graphql::Result<&Claims> {
        match self {
            CurrentUser::Authenticated(claims) => Ok(claims),
            CurrentUser::Anonymous => Err(crate::coded_error(
                "UNAUTHENTICATED",
                "sign in first: this needs a bearer token",
            )),
            CurrentUser::Rejected(why) => Err(crate::coded_error(
                "UNAUTHENTICATED",
                format!("the bearer token was refused: {why}"),
            )),
        }
    }

    /// Shortcut for resolvers: the claims of the request's user, or `UNAUTHENTICATED`.
    pub fn from_ctx<'a>(ctx: &'a async_graphql::Context<'_>) -> async_graphql::Result<&'a Claims> {
        match ctx.data_opt::<CurrentUser>() {
            Some(user) => user.require(),
            None => CurrentUser::Anonymous.require(),
        }
    }
}
