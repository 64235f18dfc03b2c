//! Minting the short-lived tokens a service presents when it calls another:
//! signed with the calling service's own key, published at its JWKS, addressed to
//! one service and carrying only the scopes asked for.

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::jwk::JwkSet;

use super::claims::{ServiceClaims, service_issuer};
use crate::signing::SigningKey;

/// How long a minted token lives.
const LIFETIME_SECONDS: i64 = 5 * 60;
/// A cached token is replaced this long before it expires, so that a token never
/// expires on its way to the other service.
const RENEW_BEFORE_SECONDS: i64 = 60;

pub struct ServiceTokens {
    service: String,
    key: SigningKey,
    /// Tokens by (audience, scope), reused until they near their expiry.
    cache: Mutex<HashMap<(String, String), (String, i64)>>,
}

impl ServiceTokens {
    pub fn new(service: impl Into<String>, key: SigningKey) -> Self {
        Self {
            service: service.into(),
            key,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The public keys other services verify this service's tokens with.
    pub fn jwk_set(&self) -> JwkSet {
        self.key.jwk_set()
    }

    /// Signs `claims` as they are (tests forge expired or overlong tokens so).
    pub fn sign_claims(
        &self,
        claims: &ServiceClaims,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.key.sign(claims)
    }

    /// A token for calling `audience` with `scopes`.
    pub fn token(
        &self,
        audience: &str,
        scopes: &[&str],
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let scope = scopes.join(" ");
        let now = chrono::Utc::now().timestamp();
        let key = (audience.to_owned(), scope);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, exp)) = cache.get(&key)
            && exp - now > RENEW_BEFORE_SECONDS
        {
            return Ok(token.clone());
        }
        let claims = ServiceClaims {
            sub: self.service.clone(),
            iss: service_issuer(&self.service),
            aud: audience.to_owned(),
            scope: key.1.clone(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
        };
        let token = self.key.sign(&claims)?;
        cache.insert(key, (token.clone(), claims.exp));
        Ok(token)
    }
}
