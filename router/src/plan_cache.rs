//! A cache of query plans, bounded by entry count and by estimated bytes, with
//! single-flight planning.
//!
//! Planning is pure and its result depends only on the supergraph, the operation
//! text, the operation picked and the progressive-override labels in effect, so
//! that is the key. Clients send the same few operations over and over; a hit
//! skips planning entirely.
//!
//! The key is a SHA-256 digest of those inputs (with the text's length), not a
//! copy of the text: operations can be megabytes, and a cryptographic digest
//! cannot collide in practice, so a hit never returns another operation's plan.
//!
//! Planning can take up to the planner's time limit: it runs on a blocking
//! thread (`spawn_blocking`), never on an async worker, and identical operations
//! that arrive while one is being planned wait for that plan instead of planning
//! again.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use lru::LruCache;
use sha2::{Digest, Sha256};

/// What a plan depends on besides the supergraph, as a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlanKey {
    digest: [u8; 32],
    query_len: usize,
}

impl PlanKey {
    /// `override_labels`: the progressive-override labels enabled for the
    /// request, sorted.
    pub fn new(query: &str, operation_name: Option<&str>, override_labels: &[String]) -> Self {
        // Every part is length-prefixed, so no two inputs encode alike.
        let mut hasher = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        part(query.as_bytes());
        match operation_name {
            Some(name) => {
                part(b"1");
                part(name.as_bytes());
            }
            None => part(b"0"),
        }
        part(&(override_labels.len() as u64).to_le_bytes());
        for label in override_labels {
            part(label.as_bytes());
        }
        PlanKey {
            digest: hasher.finalize().into(),
            query_len: query.len(),
        }
    }

    /// The key of the same operation planned for a request that may not see
    /// some of its fields: `variant` names what differs (the unmet
    /// authorization requirements), so each variant is planned and cached once.
    pub fn variant(&self, variant: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(self.digest);
        hasher.update((variant.len() as u64).to_le_bytes());
        hasher.update(variant.as_bytes());
        PlanKey {
            digest: hasher.finalize().into(),
            query_len: self.query_len,
        }
    }
}

/// What the cache counts since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanCacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that found neither a plan nor one being made: each planned once.
    pub misses: u64,
    /// Lookups that waited for the same operation being planned for another
    /// request.
    pub joined: u64,
    pub entries: usize,
    /// Estimated bytes of the cached entries (keys included).
    pub bytes: usize,
}

/// Estimated bytes of a cache entry besides its value's own estimate.
const ENTRY_OVERHEAD: usize = std::mem::size_of::<PlanKey>() + 64;

struct Entries<V> {
    lru: LruCache<PlanKey, (Arc<V>, usize)>,
    bytes: usize,
}

type Flight<V, E> = Shared<BoxFuture<'static, Result<Arc<V>, E>>>;

struct State<V, E> {
    /// `None` when caching is disabled.
    entries: Option<Mutex<Entries<V>>>,
    max_bytes: usize,
    /// Operations being planned; their planning task removes them when done.
    in_flight: Mutex<HashMap<PlanKey, Flight<V, E>>>,
    /// Shared with the caches that succeed this one ([`PlanCache::successor`]),
    /// so the counts stay counts since start across schema reloads.
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    hits: AtomicU64,
    misses: AtomicU64,
    joined: AtomicU64,
}

/// A bounded, thread-safe map from [`PlanKey`] to a shared plan (`V`); `E` is
/// the error of planning (not cached, but shared by the requests that waited).
pub struct PlanCache<V, E> {
    state: Arc<State<V, E>>,
}

impl<V, E> PlanCache<V, E>
where
    V: Send + Sync + 'static,
    E: Clone + Send + Sync + 'static,
{
    /// At most `capacity` entries of at most `max_bytes` estimated bytes in all
    /// (least recently used are evicted first). 0 for either disables caching
    /// (planning is still shared by identical concurrent requests).
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        Self::with_counts(capacity, max_bytes, Arc::default())
    }

    /// An empty cache for another supergraph (plans do not carry over from one
    /// supergraph to the next), that goes on counting where this one is.
    pub fn successor(&self, capacity: usize, max_bytes: usize) -> Self {
        Self::with_counts(capacity, max_bytes, self.state.counts.clone())
    }

    fn with_counts(capacity: usize, max_bytes: usize, counts: Arc<Counts>) -> Self {
        let entries = NonZeroUsize::new(capacity)
            .filter(|_| max_bytes > 0)
            .map(|capacity| {
                Mutex::new(Entries {
                    lru: LruCache::new(capacity),
                    bytes: 0,
                })
            });
        Self {
            state: Arc::new(State {
                entries,
                max_bytes,
                in_flight: Mutex::new(HashMap::new()),
                counts,
            }),
        }
    }

    /// The cached value, counted as a hit when found (a miss is counted by
    /// [`Self::get_or_plan`]).
    pub fn get(&self, key: &PlanKey) -> Option<Arc<V>> {
        let found = self.state.lookup(key);
        if found.is_some() {
            self.state.counts.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Caches `value`, whose estimated size is `bytes`. A value larger than the
    /// whole bound is not cached.
    pub fn insert(&self, key: PlanKey, value: Arc<V>, bytes: usize) {
        self.state.insert(key, value, bytes);
    }

    /// The cached value (`true`: it was cached), or the one `plan` makes on a
    /// blocking thread, which identical concurrent calls wait for instead of
    /// planning again. `plan` returns the value and its estimated size in bytes.
    /// Planning goes on (and its value is cached) when every caller went away.
    pub async fn get_or_plan<F>(&self, key: PlanKey, plan: F) -> Result<(Arc<V>, bool), E>
    where
        F: FnOnce() -> Result<(V, usize), E> + Send + 'static,
        E: From<tokio::task::JoinError>,
    {
        if let Some(found) = self.get(&key) {
            return Ok((found, true));
        }
        let flight = {
            let mut in_flight = lock(&self.state.in_flight);
            if let Some(flight) = in_flight.get(&key) {
                self.state.counts.joined.fetch_add(1, Ordering::Relaxed);
                flight.clone()
            } else if let Some(found) = self.state.lookup(&key) {
                // Planned and cached since the lookup above.
                self.state.counts.hits.fetch_add(1, Ordering::Relaxed);
                return Ok((found, true));
            } else {
                self.state.counts.misses.fetch_add(1, Ordering::Relaxed);
                let state = self.state.clone();
                // Dropped with the task even if the task never runs (runtime
                // shutting down), so the key never stays in flight.
                let done = FlightDone {
                    state: state.clone(),
                    key,
                };
                let task = tokio::task::spawn_blocking(move || {
                    let result = plan().map(|(value, bytes)| {
                        let value = Arc::new(value);
                        // Cached before the flight ends: a request arriving in
                        // between finds one or the other.
                        state.insert(key, value.clone(), bytes);
                        value
                    });
                    drop(done);
                    result
                });
                let flight = async move { task.await.map_err(E::from).and_then(|result| result) }
                    .boxed()
                    .shared();
                in_flight.insert(key, flight.clone());
                flight
            }
        };
        flight.await.map(|value| (value, false))
    }

    pub fn stats(&self) -> PlanCacheStats {
        self.state.stats()
    }

    /// Up to `count` cached entries, the most recently used first, without
    /// touching their recency (a schema reload plans them again).
    pub fn most_recent(&self, count: usize) -> Vec<(PlanKey, Arc<V>)> {
        let Some(entries) = &self.state.entries else {
            return Vec::new();
        };
        lock(entries)
            .lru
            .iter()
            .take(count)
            .map(|(key, (value, _))| (*key, value.clone()))
            .collect()
    }

    /// Reads [`Self::stats`] later, without holding the cache (the metrics
    /// read them at each scrape).
    pub fn stats_reader(&self) -> impl Fn() -> PlanCacheStats + Send + Sync + 'static {
        let state = self.state.clone();
        move || state.stats()
    }
}

impl<V, E> State<V, E> {
    fn stats(&self) -> PlanCacheStats {
        let (entries, bytes) = self.entries.as_ref().map_or((0, 0), |entries| {
            let entries = lock(entries);
            (entries.lru.len(), entries.bytes)
        });
        PlanCacheStats {
            hits: self.counts.hits.load(Ordering::Relaxed),
            misses: self.counts.misses.load(Ordering::Relaxed),
            joined: self.counts.joined.load(Ordering::Relaxed),
            entries,
            bytes,
        }
    }

    fn lookup(&self, key: &PlanKey) -> Option<Arc<V>> {
        let entries = self.entries.as_ref()?;
        lock(entries).lru.get(key).map(|(value, _)| value.clone())
    }

    fn insert(&self, key: PlanKey, value: Arc<V>, bytes: usize) {
        let Some(entries) = &self.entries else {
            return;
        };
        let bytes = bytes.saturating_add(ENTRY_OVERHEAD);
        if bytes > self.max_bytes {
            return;
        }
        let mut entries = lock(entries);
        // `push` hands back the entry it replaced or evicted (entry bound).
        if let Some((_, (_, old_bytes))) = entries.lru.push(key, (value, bytes)) {
            entries.bytes -= old_bytes;
        }
        entries.bytes += bytes;
        while entries.bytes > self.max_bytes {
            match entries.lru.pop_lru() {
                Some((_, (_, evicted))) => entries.bytes -= evicted,
                None => break,
            }
        }
    }
}

/// Ends a planning flight: later identical requests find the cached plan (or,
/// on an error, plan again).
struct FlightDone<V, E> {
    state: Arc<State<V, E>>,
    key: PlanKey,
}

impl<V, E> Drop for FlightDone<V, E> {
    fn drop(&mut self) {
        // Taken out of the map under the lock, dropped after it.
        let flight = lock(&self.state.in_flight).remove(&self.key);
        drop(flight);
    }
}

/// A poisoned cache is still a valid cache: its updates leave it consistent.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Failed;

    impl From<tokio::task::JoinError> for Failed {
        fn from(_: tokio::task::JoinError) -> Self {
            Failed
        }
    }

    fn key(query: &str) -> PlanKey {
        PlanKey::new(query, None, &[])
    }

    #[test]
    fn keys_tell_every_input_apart() {
        let labels = ["a".to_owned()];
        assert_eq!(key("q"), PlanKey::new("q", None, &[]));
        assert_ne!(key("q"), PlanKey::new("q", Some(""), &[]));
        assert_ne!(key("q"), PlanKey::new("q", None, &labels));
        assert_ne!(
            PlanKey::new("q", Some("ab"), &[]),
            PlanKey::new("qa", Some("b"), &[])
        );
    }

    #[test]
    fn evicts_least_recently_used() {
        let cache = PlanCache::<i32, Failed>::new(2, 1 << 20);
        cache.insert(key("a"), Arc::new(1), 10);
        cache.insert(key("b"), Arc::new(2), 10);
        assert_eq!(cache.get(&key("a")).as_deref(), Some(&1));
        cache.insert(key("c"), Arc::new(3), 10);
        assert!(cache.get(&key("b")).is_none());
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.entries), (1, 2));
        assert_eq!(stats.bytes, 2 * (10 + ENTRY_OVERHEAD));
    }

    #[test]
    fn bounded_by_bytes() {
        let max_bytes = 1 << 20;
        let cache = PlanCache::<Vec<u8>, Failed>::new(1_000_000, max_bytes);
        for i in 0..1_000 {
            let query = format!("{{ f(arg: \"{i}{}\") }}", "x".repeat(64 * 1024));
            cache.insert(key(&query), Arc::new(Vec::new()), query.len() * 2);
            assert!(cache.stats().bytes <= max_bytes);
        }
        let stats = cache.stats();
        assert!(stats.entries > 1 && stats.entries < 1_000, "{stats:?}");
        // An entry larger than the bound is not cached at all.
        cache.insert(key("huge"), Arc::new(Vec::new()), max_bytes + 1);
        assert!(cache.get(&key("huge")).is_none());
    }

    #[test]
    fn most_recent_first_and_successors_count_on() {
        let cache = PlanCache::<i32, Failed>::new(8, 1 << 20);
        for (query, value) in [("a", 1), ("b", 2), ("c", 3)] {
            cache.insert(key(query), Arc::new(value), 10);
        }
        assert!(cache.get(&key("a")).is_some());
        let recent: Vec<i32> = cache.most_recent(2).iter().map(|(_, v)| **v).collect();
        assert_eq!(recent, [1, 3]);
        // Listing them did not make "c" more recent than "a".
        let recent: Vec<i32> = cache.most_recent(8).iter().map(|(_, v)| **v).collect();
        assert_eq!(recent, [1, 3, 2]);
        let next = cache.successor(8, 1 << 20);
        assert_eq!(next.stats().entries, 0);
        assert!(next.get(&key("a")).is_none());
        next.insert(key("a"), Arc::new(1), 10);
        assert!(next.get(&key("a")).is_some());
        // One hit before, one after: both caches report both.
        assert_eq!(next.stats().hits, 2);
        assert_eq!(cache.stats().hits, 2);
    }

    #[test]
    fn zero_capacity_disables() {
        let cache = PlanCache::<i32, Failed>::new(0, 1 << 20);
        cache.insert(key("a"), Arc::new(1), 1);
        assert!(cache.get(&key("a")).is_none());
        let cache = PlanCache::<i32, Failed>::new(10, 0);
        cache.insert(key("a"), Arc::new(1), 1);
        assert!(cache.get(&key("a")).is_none());
    }

    /// Identical concurrent lookups of an operation not yet cached plan it once.
    #[tokio::test]
    async fn concurrent_cold_lookups_plan_once() {
        let cache = Arc::new(PlanCache::<u32, Failed>::new(16, 1 << 20));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let plans = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let cache = cache.clone();
            let gate = gate.clone();
            let plans = plans.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_plan(key("q"), move || {
                        plans.fetch_add(1, Ordering::SeqCst);
                        let _ = lock(&gate).recv();
                        Ok((7, 100))
                    })
                    .await
            }));
        }
        // On this single-threaded runtime, yielding runs every spawned task up to
        // its wait on the planning.
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        for task in tasks {
            let (value, _) = task.await.unwrap().unwrap();
            assert_eq!(*value, 7);
        }
        assert_eq!(plans.load(Ordering::SeqCst), 1);
        let stats = cache.stats();
        assert_eq!((stats.misses, stats.joined, stats.entries), (1, 7, 1));
        assert_eq!(cache.get(&key("q")).as_deref(), Some(&7));
    }
}
