//! Verified tokens, remembered so that a token seen again is not verified again
//! (`authentication.jwt.cache_size`). A signature check costs tens to hundreds of
//! microseconds (RS256, ES256); a lookup, one SHA-256 of the token and a map probe.
//!
//! The key is the SHA-256 of the token's bytes, so the map holds no token. An
//! entry holds the verified claims, the token's `exp` and the generation of the
//! key sets it was verified with; a hit counts only while `exp` plus the leeway
//! has not passed (as verification reckons it) and the key sets are still that
//! generation, so a key that a JWKS refresh removed stops being accepted at once.
//! Only tokens that verified are ever inserted. Least recently used entries are
//! evicted first; the map never holds more than its capacity.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use sha2::{Digest, Sha256};

use super::Claims;

/// The SHA-256 of a token.
pub type TokenHash = [u8; 32];

pub fn hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

struct Entry {
    claims: Arc<Claims>,
    exp: u64,
    generation: u64,
}

pub struct TokenCache {
    entries: Mutex<LruCache<TokenHash, Entry>>,
    leeway: u64,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens; `None` for 0 (no cache).
    pub fn new(capacity: usize, leeway: u64) -> Option<Self> {
        let capacity = NonZeroUsize::new(capacity)?;
        Some(Self {
            entries: Mutex::new(LruCache::new(capacity)),
            leeway,
        })
    }

    /// The claims of a token verified with key sets of `generation`, if it has not
    /// expired by `now` (seconds since the epoch). A stale entry is dropped.
    pub fn get(&self, hash: &TokenHash, generation: u64, now: u64) -> Option<Arc<Claims>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(hash)?;
        if entry.generation == generation && !self.expired(entry.exp, now) {
            return Some(entry.claims.clone());
        }
        entries.pop(hash);
        None
    }

    /// Remembers the claims of a token that verified with key sets of
    /// `generation`. Claims without an integer `exp` are not remembered.
    pub fn insert(&self, hash: TokenHash, claims: Arc<Claims>, generation: u64, now: u64) {
        let Some(exp) = claims.get("exp").and_then(|exp| exp.as_u64()) else {
            return;
        };
        if self.expired(exp, now) {
            return;
        }
        let entry = Entry {
            claims,
            exp,
            generation,
        };
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(hash, entry);
    }

    /// Tokens held.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// As `jsonwebtoken` decides it: expired once `exp < now - leeway`.
    fn expired(&self, exp: u64, now: u64) -> bool {
        exp < now.saturating_sub(self.leeway)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(exp: u64) -> Arc<Claims> {
        let mut claims = Claims::new();
        claims.insert("sub".into(), json!("alice"));
        claims.insert("exp".into(), json!(exp));
        Arc::new(claims)
    }

    #[test]
    fn a_hit_lasts_until_exp_plus_leeway_and_only_for_its_generation() {
        let cache = TokenCache::new(10, 5).unwrap();
        let token = hash("a.b.c");
        cache.insert(token, claims(1000), 1, 990);
        assert!(cache.get(&token, 1, 1000).is_some());
        assert!(cache.get(&token, 1, 1005).is_some(), "within the leeway");
        assert!(cache.get(&token, 1, 1006).is_none(), "expired");
        assert_eq!(cache.len(), 0, "a stale entry is dropped");

        cache.insert(token, claims(1000), 1, 990);
        assert!(cache.get(&token, 2, 990).is_none(), "the key sets changed");
        assert!(cache.get(&token, 1, 990).is_none(), "and the entry is gone");
    }

    #[test]
    fn the_cache_is_bounded_and_keeps_no_token() {
        let cache = TokenCache::new(2, 0).unwrap();
        for token in ["t1", "t2", "t3"] {
            cache.insert(hash(token), claims(u64::MAX), 0, 0);
        }
        assert_eq!(cache.len(), 2);
        assert!(
            cache.get(&hash("t1"), 0, 0).is_none(),
            "least recent evicted"
        );
        assert!(cache.get(&hash("t3"), 0, 0).is_some());
        assert!(TokenCache::new(0, 0).is_none());
    }

    #[test]
    fn claims_without_a_usable_exp_or_already_expired_are_not_kept() {
        let cache = TokenCache::new(10, 0).unwrap();
        let mut no_exp = Claims::new();
        no_exp.insert("sub".into(), json!("bob"));
        cache.insert(hash("x"), Arc::new(no_exp), 0, 100);
        cache.insert(hash("y"), claims(99), 0, 100);
        assert_eq!(cache.len(), 0);
    }
}
