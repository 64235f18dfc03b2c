//! Issuing the JWTs other services accept: EdDSA-signed, `kid` in the header,
//! claims as `shop_common::Claims` expects them, the account's role included.

use std::time::Duration;

use shop_common::Claims;
use shop_common::auth::{ISSUER, Role};
use shop_common::signing::SigningKey;

#[derive(Debug, thiserror::Error)]
#[error("cannot sign token: {0}")]
pub struct TokenError(#[from] jsonwebtoken::errors::Error);

pub struct TokenIssuer {
    key: SigningKey,
    ttl: Duration,
}

impl TokenIssuer {
    pub fn new(key: SigningKey, ttl: Duration) -> Self {
        Self { key, ttl }
    }

    /// A token for `user_id` valid for the configured lifetime from now.
    pub fn issue(&self, user_id: &str, email: &str, role: Role) -> Result<String, TokenError> {
        let now = chrono::Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        let claims = Claims {
            sub: user_id.to_owned(),
            email: email.to_owned(),
            role,
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now.saturating_add(ttl),
        };
        Ok(self.key.sign(&claims)?)
    }
}
