//! Password hashing with Argon2id (default parameters, random salt, PHC string).
//!
//! Hashing is deliberately slow, so it runs on tokio's blocking pool instead of
//! stalling the async workers that serve other requests. Each hash also takes
//! ~19 MiB, so at most a few run at once (one per core): a burst of sign-ins waits
//! its turn instead of growing the blocking pool and its memory without bound.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("cannot hash password: {0}")]
    Hash(String),
    #[error("stored password hash is unreadable: {0}")]
    StoredHash(String),
    #[error("password hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("password hashing is shut down")]
    Closed(#[from] tokio::sync::AcquireError),
}

/// Hashes and verifies passwords. Holds a hash of a random password so that a
/// sign-in for an unknown e-mail can spend the same time verifying as a sign-in
/// with a wrong password: response time does not tell which e-mails have accounts.
#[derive(Clone)]
pub struct Passwords {
    dummy_hash: String,
    slots: Arc<Semaphore>,
}

impl Passwords {
    /// Computes the dummy hash with the same parameters real hashes use.
    pub async fn new() -> Result<Self, PasswordError> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut passwords = Self {
            dummy_hash: String::new(),
            slots: Arc::new(Semaphore::new(cores)),
        };
        let mut random = [0u8; 32];
        rand::RngCore::fill_bytes(&mut OsRng, &mut random);
        let dummy_password =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD_NO_PAD, random);
        passwords.dummy_hash = passwords.hash(dummy_password).await?;
        Ok(passwords)
    }

    /// The PHC string (`$argon2id$v=19$m=...`) for `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let slot = self.slot().await?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
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
        let slot = self.slot().await?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let parsed =
                PasswordHash::new(&hash).map_err(|e| PasswordError::StoredHash(e.to_string()))?;
            let matches = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await?
    }

    /// A permit moved into the blocking task, so that it is held until the hash is
    /// done even if the request that asked for it is cancelled meanwhile.
    async fn slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit, PasswordError> {
        Ok(Arc::clone(&self.slots).acquire_owned().await?)
    }
}
