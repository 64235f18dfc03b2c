//! Password hashing with Argon2id (default parameters, random salt, PHC string).
//!
//! Hashing is deliberately slow, so it runs on tokio's blocking pool instead of
//! stalling the async workers that serve other requests.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("cannot hash password: {0}")]
    Hash(String),
    #[error("stored password hash is unreadable: {0}")]
    StoredHash(String),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Hashes and verifies passwords. Holds a hash of a random password so that a
/// sign-in for an unknown e-mail can spend the same time verifying as a sign-in
/// with a wrong password: response time does not tell which e-mails have accounts.
#[derive(Clone)]
pub struct Passwords {
    dummy_hash: String,
}

impl Passwords {
    /// Computes the dummy hash with the same parameters real hashes use.
    pub async fn new() -> Result<Self, PasswordError> {
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut OsRng, &mut random);
        let dummy_password =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD_NO_PAD, random);
        let dummy_hash = Self::hash(dummy_password).await?;
        Ok(Self { dummy_hash })
    }

    /// The PHC string (`$argon2id$v=19$m=...`) for `password` with a fresh salt.
    pub async fn hash(password: String) -> Result<String, PasswordError> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| PasswordError::Hash(e.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `stored` (a PHC string); `None` verifies against
    /// the dummy hash, which always fails but takes as long as a real check.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.clone());
        tokio::task::spawn_blocking(move || {
            let parsed =
                PasswordHash::new(&hash).map_err(|e| PasswordError::StoredHash(e.to_string()))?;
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await?
    }
}
