//! Live updates for a service's own clients: which keys (an order id, a product
//! id) changed, as events on the bus say, for GraphQL subscriptions to re-read.
//!
//! One [`LiveFeed`] per service process tails the bus ([`crate::Tail`]) and
//! keeps, for every key someone watches, a version number it bumps when an
//! event names that key. A watcher ([`KeyWatch`]) wakes when its key's version
//! moved, and then reads the current state from the service's own database.
//! The events are only a signal; the database is what subscribers emit. That
//! is what makes subscriptions exact without trusting the bus for more than
//! "something happened":
//!
//! - ordering and duplicates: the bus delivers at least once and the outbox
//!   relays of several processes may interleave, but each wake-up reads the
//!   state as committed;
//! - memory: a watch holds one number, whatever the rate of events and however
//!   slowly its subscriber reads (bursts collapse into one wake-up);
//! - gaps: when the tail may have missed events (it fell behind, or its
//!   JetStream consumer had to be made again), every watched key is bumped, so
//!   every watcher re-reads.
//!
//! Race-free subscribing: take the watch first, then read the state, then wait
//! for wake-ups. A change committed after the read is relayed after its commit,
//! so it wakes the watch; one committed before is in the read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use tokio::sync::watch;

use crate::bus::EventBus;
use crate::event::Event;

/// Which keys an event is about.
pub type KeysOf = dyn Fn(&Event) -> Vec<String> + Send + Sync;

/// Delay before a tail that failed is started again.
const RETRY_DELAY: Duration = Duration::from_secs(1);

/// The watched keys of one service process; cheap to clone.
#[derive(Clone)]
pub struct LiveFeed {
    hub: Arc<Hub>,
}

impl std::fmt::Debug for LiveFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFeed")
            .field("name", &self.hub.name)
            .field("watched_keys", &self.watched_keys())
            .finish()
    }
}

struct Hub {
    /// For the logs.
    name: String,
    /// A key is here while at least one [`KeyWatch`] of it lives.
    keys: Mutex<HashMap<String, watch::Sender<u64>>>,
    keys_of: Box<KeysOf>,
}

impl Hub {
    /// A panic elsewhere while holding the lock leaves the map consistent (each
    /// change is one insert, remove or bump), so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, watch::Sender<u64>>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self, event: &Event) {
        let keys = (self.keys_of)(event);
        let watched = self.lock();
        for key in keys {
            if let Some(version) = watched.get(&key) {
                version.send_modify(|v| *v = v.wrapping_add(1));
            }
        }
    }

    fn bump_all(&self) {
        for version in self.lock().values() {
            version.send_modify(|v| *v = v.wrapping_add(1));
        }
    }
}

impl LiveFeed {
    /// Starts tailing `bus` for `types` (`name` appears in the logs); `keys_of`
    /// says which keys an event is about. The tail is started again, a second
    /// after it fails, for as long as a handle on the feed lives; every start
    /// bumps every watched key, since events may have gone by unseen.
    pub fn spawn(
        bus: EventBus,
        name: impl Into<String>,
        types: &[&str],
        keys_of: impl Fn(&Event) -> Vec<String> + Send + Sync + 'static,
    ) -> LiveFeed {
        let hub = Arc::new(Hub {
            name: name.into(),
            keys: Mutex::new(HashMap::new()),
            keys_of: Box::new(keys_of),
        });
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        tokio::spawn(run(bus, Arc::downgrade(&hub), types));
        LiveFeed { hub }
    }

    /// A watch of `key`: [`KeyWatch::changed`] completes when an event about
    /// `key` arrives after this call. Take it before reading the state.
    pub fn watch(&self, key: &str) -> KeyWatch {
        let mut keys = self.hub.lock();
        let receiver = match keys.get(key) {
            Some(version) => version.subscribe(),
            None => {
                let (version, receiver) = watch::channel(0);
                keys.insert(key.to_owned(), version);
                receiver
            }
        };
        KeyWatch {
            receiver,
            key: key.to_owned(),
            hub: self.hub.clone(),
        }
    }

    /// How many distinct keys are watched now.
    pub fn watched_keys(&self) -> usize {
        self.hub.lock().len()
    }
}

/// The feed's task: tail, bump, and start again after a failure.
async fn run(bus: EventBus, hub: Weak<Hub>, types: Vec<String>) {
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    loop {
        let mut tail = match bus.tail(&types).await {
            Ok(tail) => tail,
            Err(err) => {
                let Some(hub) = hub.upgrade() else { return };
                tracing::warn!(feed = %hub.name, %err, "cannot tail the event bus; retrying");
                drop(hub);
                tokio::time::sleep(RETRY_DELAY).await;
                continue;
            }
        };
        // Whatever happened before this tail started went by unseen.
        match hub.upgrade() {
            Some(hub) => hub.bump_all(),
            None => return,
        }
        loop {
            let next = tail.next().await;
            let Some(hub) = hub.upgrade() else { return };
            match next {
                Some(Ok(event)) => hub.bump(&event),
                Some(Err(err)) => {
                    tracing::warn!(feed = %hub.name, %err, "the event tail lost events; every watcher re-reads");
                    hub.bump_all();
                    break;
                }
                None => {
                    tracing::warn!(feed = %hub.name, "the event tail ended; starting again");
                    break;
                }
            }
        }
        tokio::time::sleep(RETRY_DELAY).await;
    }
}

/// A watch of one key; removes the key from the feed when the last watch of it
/// is dropped.
pub struct KeyWatch {
    receiver: watch::Receiver<u64>,
    key: String,
    hub: Arc<Hub>,
}

impl KeyWatch {
    /// Completes when events about the key arrived since the watch was taken or
    /// since the last call; several events collapse into one wake-up.
    pub async fn changed(&mut self) {
        // The feed holds the sender for as long as this watch exists, so the
        // channel cannot close under it.
        if self.receiver.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl Drop for KeyWatch {
    fn drop(&mut self) {
        let mut keys = self.hub.lock();
        // Under the lock that `watch` takes too: no watch of the key can appear
        // between the count and the removal. Ours still counts.
        if keys
            .get(&self.key)
            .is_some_and(|version| version.receiver_count() <= 1)
        {
            keys.remove(&self.key);
        }
    }
}
