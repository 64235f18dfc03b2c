//! Automatic persisted queries: operation texts registered by clients under the
//! SHA-256 of their text, kept in a bounded in-memory LRU, and optionally in
//! Redis, shared by several routers (the LRU stays in front of it).
//!
//! Redis is a cache, never a dependency: when it is unreachable or slow, a
//! lookup is a miss and a registration stays local (both logged), and the
//! request goes on.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

/// Prefix of the Redis keys: `switchyard:apq:<sha256 hex>`.
pub const REDIS_PREFIX: &str = "switchyard:apq:";

/// Bound on one Redis command (or on connecting).
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// After a failed connection, how long Redis is skipped before trying again.
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Registered operation texts by hash.
pub struct ApqStore {
    local: Mutex<Local>,
    redis: Option<RedisStore>,
}

/// The in-memory LRU, bounded in entries and in bytes of text (a client can
/// register texts as large as the request body limit).
struct Local {
    entries: LruCache<String, Arc<str>>,
    bytes: usize,
    max_bytes: usize,
}

impl Local {
    fn put(&mut self, hash: String, query: Arc<str>) {
        if query.len() > self.max_bytes {
            return;
        }
        self.bytes += query.len();
        if let Some((_, old)) = self.entries.push(hash, query) {
            self.bytes -= old.len();
        }
        while self.bytes > self.max_bytes {
            match self.entries.pop_lru() {
                Some((_, old)) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

impl ApqStore {
    /// `redis` is a client opened on the configured URL (nothing is connected
    /// until the first lookup).
    pub fn new(
        capacity: NonZeroUsize,
        max_bytes: usize,
        redis: Option<(redis::Client, Duration)>,
    ) -> Self {
        ApqStore {
            local: Mutex::new(Local {
                entries: LruCache::new(capacity),
                bytes: 0,
                max_bytes,
            }),
            redis: redis.map(|(client, ttl)| RedisStore {
                client,
                ttl,
                connection: tokio::sync::Mutex::new(Connection::Idle),
            }),
        }
    }

    /// The text registered under `hash` (lowercase hex): from memory, else
    /// from Redis (and then kept in memory).
    pub async fn get(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(query) = self.lock().entries.get(hash) {
            return Some(query.clone());
        }
        let query = self.redis.as_ref()?.get(hash).await?;
        // Whoever can write to Redis must not be able to swap an operation.
        if super::sha256_hex(&query) != hash {
            tracing::warn!(
                hash,
                "APQ: the text stored in Redis does not match its hash; ignored"
            );
            return None;
        }
        let query: Arc<str> = query.into();
        self.lock().put(hash.to_owned(), query.clone());
        Some(query)
    }

    /// Registers `query` under `hash` (already verified to be its SHA-256).
    pub async fn put(&self, hash: &str, query: &str) {
        self.lock().put(hash.to_owned(), query.into());
        if let Some(redis) = &self.redis {
            redis.set(hash, query).await;
        }
    }

    /// Whether `hash` is in the in-memory cache (for tests and diagnostics).
    pub fn contains_locally(&self, hash: &str) -> bool {
        self.lock().entries.contains(hash)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Local> {
        // A panic while holding the lock cannot leave the LRU inconsistent in
        // a way that matters to a cache: keep using it.
        self.local
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

struct RedisStore {
    client: redis::Client,
    ttl: Duration,
    connection: tokio::sync::Mutex<Connection>,
}

enum Connection {
    Idle,
    Connected(ConnectionManager),
    Failed(Instant),
}

impl RedisStore {
    /// A connection, made on first use; `None` while Redis is unreachable
    /// (retried every `REDIS_RETRY_AFTER`).
    async fn connection(&self) -> Option<ConnectionManager> {
        let mut state = self.connection.lock().await;
        match &*state {
            Connection::Connected(manager) => return Some(manager.clone()),
            Connection::Failed(at) if at.elapsed() < REDIS_RETRY_AFTER => return None,
            _ => {}
        }
        let connecting = ConnectionManager::new(self.client.clone());
        match tokio::time::timeout(REDIS_TIMEOUT, connecting).await {
            Ok(Ok(manager)) => {
                *state = Connection::Connected(manager.clone());
                Some(manager)
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "APQ: cannot connect to Redis; using the in-memory cache only");
                *state = Connection::Failed(Instant::now());
                None
            }
            Err(_) => {
                tracing::warn!(
                    "APQ: connecting to Redis timed out; using the in-memory cache only"
                );
                *state = Connection::Failed(Instant::now());
                None
            }
        }
    }

    async fn get(&self, hash: &str) -> Option<String> {
        let mut connection = self.connection().await?;
        let key = format!("{REDIS_PREFIX}{hash}");
        match tokio::time::timeout(REDIS_TIMEOUT, connection.get::<_, Option<String>>(key)).await {
            Ok(Ok(found)) => found,
            Ok(Err(error)) => {
                tracing::warn!(%error, "APQ: Redis lookup failed; treated as a miss");
                None
            }
            Err(_) => {
                tracing::warn!("APQ: Redis lookup timed out; treated as a miss");
                None
            }
        }
    }

    async fn set(&self, hash: &str, query: &str) {
        let Some(mut connection) = self.connection().await else {
            return;
        };
        let key = format!("{REDIS_PREFIX}{hash}");
        let seconds = self.ttl.as_secs().max(1);
        let setting = connection.set_ex::<_, _, ()>(key, query, seconds);
        match tokio::time::timeout(REDIS_TIMEOUT, setting).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "APQ: storing in Redis failed; kept in memory only");
            }
            Err(_) => tracing::warn!("APQ: storing in Redis timed out; kept in memory only"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persisted::sha256_hex;

    #[tokio::test]
    async fn bounded_in_entries_and_bytes() {
        let store = ApqStore::new(NonZeroUsize::new(3).unwrap(), 10, None);
        for text in ["aaaa", "bbbb", "cccc"] {
            store.put(&sha256_hex(text), text).await;
        }
        // 12 bytes > 10: the oldest went.
        assert!(!store.contains_locally(&sha256_hex("aaaa")));
        assert!(store.contains_locally(&sha256_hex("bbbb")));
        assert_eq!(
            store.get(&sha256_hex("cccc")).await.as_deref(),
            Some("cccc")
        );
        // Larger than the whole bound: not kept.
        store.put(&sha256_hex("0123456789x"), "0123456789x").await;
        assert!(!store.contains_locally(&sha256_hex("0123456789x")));
        assert!(store.contains_locally(&sha256_hex("bbbb")));
    }
}
