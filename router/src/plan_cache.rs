//! An LRU cache of query plans.
//!
//! Planning is pure and its result depends only on the supergraph, the operation
//! text, the operation picked and the progressive-override labels in effect, so
//! that is the key. Clients send the same few operations over and over; a hit
//! skips planning entirely.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use lru::LruCache;

/// What a plan depends on besides the supergraph.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PlanKey {
    pub query: String,
    pub operation_name: Option<String>,
    /// Progressive-override labels enabled for this request, sorted.
    pub override_labels: Vec<String>,
}

/// Hits and misses since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanCacheStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: usize,
}

/// A bounded, thread-safe map from [`PlanKey`] to a shared plan.
pub struct PlanCache<V> {
    entries: Option<Mutex<LruCache<PlanKey, Arc<V>>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<V> PlanCache<V> {
    /// A capacity of 0 disables caching (every lookup misses).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn get(&self, key: &PlanKey) -> Option<Arc<V>> {
        let found = self
            .entries
            .as_ref()
            .and_then(|entries| lock(entries).get(key).cloned());
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn insert(&self, key: PlanKey, value: Arc<V>) {
        if let Some(entries) = &self.entries {
            lock(entries).put(key, value);
        }
    }

    pub fn stats(&self) -> PlanCacheStats {
        PlanCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.entries.as_ref().map_or(0, |e| lock(e).len()),
        }
    }
}

/// A poisoned cache is still a valid cache: `put`/`get` leave it consistent.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(query: &str) -> PlanKey {
        PlanKey {
            query: query.into(),
            operation_name: None,
            override_labels: Vec::new(),
        }
    }

    #[test]
    fn evicts_least_recently_used() {
        let cache = PlanCache::new(2);
        cache.insert(key("a"), Arc::new(1));
        cache.insert(key("b"), Arc::new(2));
        assert_eq!(cache.get(&key("a")).as_deref(), Some(&1));
        cache.insert(key("c"), Arc::new(3));
        assert!(cache.get(&key("b")).is_none());
        assert_eq!(
            cache.stats(),
            PlanCacheStats {
                hits: 1,
                misses: 1,
                entries: 2
            }
        );
    }

    #[test]
    fn zero_capacity_disables() {
        let cache = PlanCache::new(0);
        cache.insert(key("a"), Arc::new(1));
        assert!(cache.get(&key("a")).is_none());
    }
}
