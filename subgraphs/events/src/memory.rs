//! The in-process bus: a bounded log with a cursor per named consumer, in the
//! spirit of a JetStream stream with limits retention.
//!
//! One log holds the events in publication order, with sequence numbers, and is
//! trimmed on every publish (and every read or stats call) to at most
//! [`MemoryLimits::max_msgs`] events, none older than [`MemoryLimits::max_age`]
//! (time on the bus, not the event's `occurred_at`). Without limits it kept every
//! event ever published: 48 MB grew to 781 MB over five minutes of checkouts.
//!
//! A new consumer starts at the oldest retained event, so that one subscribing late
//! (services start one after another) still sees what was published before it.
//! Subscribers sharing a consumer name share its cursor, so each event goes to one
//! of them. A consumer whose cursor was on events that got trimmed is told how many
//! of its types it missed ([`BusError::Lagged`]) and continues from the oldest
//! retained event: nothing is lost silently.
//!
//! Delivery is at least once within the process: a delivery that is negatively
//! acknowledged, or dropped without an answer (its handler panicked or was
//! cancelled), goes to the consumer's redelivery queue with the event itself, so
//! trimming cannot lose it. Memory is therefore bounded by the limits plus what is
//! in flight. Nothing survives the process: a restarted service relies on its
//! outbox (unpublished rows are published again) and on its own state, which is
//! why production runs on JetStream.

mod log;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, broadcast};
use tokio::time::Instant;

use self::log::{Log, Next};
use crate::bus::BusError;
use crate::event::Event;
use crate::stats::BusStats;

/// How much the in-process bus retains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimits {
    /// Most events kept; the oldest go first. At least 1.
    pub max_msgs: usize,
    /// Events are dropped this long after they were published.
    pub max_age: Duration,
}

impl MemoryLimits {
    /// Enough for the slowest consumer of a busy shop to catch up after a hiccup:
    /// a checkout publishes about five events.
    pub const DEFAULT_MAX_MSGS: usize = 10_000;
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(10 * 60);
}

impl Default for MemoryLimits {
    fn default() -> Self {
        MemoryLimits {
            max_msgs: MemoryLimits::DEFAULT_MAX_MSGS,
            max_age: MemoryLimits::DEFAULT_MAX_AGE,
        }
    }
}

/// The in-process bus; cheap to clone, clones share the log.
#[derive(Clone)]
pub struct MemoryBus {
    log: Arc<Mutex<Log>>,
    limits: MemoryLimits,
    /// Every published event, for the tails ([`crate::Tail`]): a ring of
    /// [`TAIL_CAPACITY`] events shared by all of them, so a slow tail costs no
    /// memory of its own; it is told how many it missed.
    tail: broadcast::Sender<Arc<Event>>,
}

/// Events a tail may fall behind before it misses some.
const TAIL_CAPACITY: usize = 1024;

impl Default for MemoryBus {
    fn default() -> Self {
        MemoryBus::with_limits(MemoryLimits::default())
    }
}

impl std::fmt::Debug for MemoryBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("MemoryBus").field(&self.limits).finish()
    }
}

impl MemoryBus {
    /// A bus retaining at most `limits`; a `max_msgs` of 0 counts as 1 (a bus that
    /// keeps nothing would report every event as missed).
    pub fn with_limits(limits: MemoryLimits) -> MemoryBus {
        let limits = MemoryLimits {
            max_msgs: limits.max_msgs.max(1),
            ..limits
        };
        MemoryBus {
            log: Arc::new(Mutex::new(Log::new(limits))),
            limits,
            tail: broadcast::channel(TAIL_CAPACITY).0,
        }
    }

    pub fn limits(&self) -> MemoryLimits {
        self.limits
    }

    /// Counts, sizes and each consumer's position, after trimming what expired.
    pub fn stats(&self) -> BusStats {
        let mut log = self.lock();
        log.trim(Instant::now());
        log.stats()
    }

    /// A panic elsewhere while holding the lock leaves the log consistent (every
    /// change is a few plain assignments), so a poisoned lock is used as is.
    fn lock(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn publish(&self, event: &Event) -> Result<(), BusError> {
        let bytes = encoded_len(event)?;
        let mut log = self.lock();
        log.publish(event.clone(), bytes, Instant::now());
        // Under the log's lock, so tails see events in the log's order.
        if self.tail.receiver_count() > 0 {
            // Fails only when the last tail went away meanwhile: nobody to tell.
            let _ = self.tail.send(Arc::new(event.clone()));
        }
        Ok(())
    }

    /// A receiver of the events published from now on (see [`crate::Tail`]).
    pub(crate) fn tail(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tail.subscribe()
    }

    pub(crate) fn subscribe(&self, consumer: &str, types: &[String]) -> MemorySubscription {
        let notify = self.lock().subscribe(consumer, types);
        MemorySubscription {
            bus: self.clone(),
            consumer: Arc::from(consumer),
            notify,
        }
    }
}

/// The size of `event` as JSON: the retained-bytes estimate. It is what the event
/// costs on JetStream; in memory the parsed payload takes a small multiple of it.
fn encoded_len(event: &Event) -> Result<usize, BusError> {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, event)?;
    Ok(counter.0)
}

pub struct MemorySubscription {
    bus: MemoryBus,
    consumer: Arc<str>,
    notify: Arc<Notify>,
}

impl MemorySubscription {
    /// Never `None`: the subscription keeps the bus alive.
    pub(crate) async fn next(&mut self) -> Option<Result<MemoryDelivery, BusError>> {
        loop {
            // Registered before looking, so that a publish between the look and the
            // wait still wakes us.
            let notified = self.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            let next = self.bus.lock().next(&self.consumer, Instant::now());
            match next {
                Next::Lagged(missed) => {
                    return Some(Err(BusError::Lagged {
                        consumer: self.consumer.to_string(),
                        missed,
                    }));
                }
                Next::Deliver { seq, event } => {
                    return Some(Ok(MemoryDelivery {
                        bus: self.bus.clone(),
                        consumer: self.consumer.clone(),
                        seq,
                        event,
                        answered: false,
                    }));
                }
                Next::Wait(None) => notified.await,
                Next::Wait(Some(due)) => {
                    tokio::select! {
                        () = notified => {}
                        () = tokio::time::sleep_until(due) => {}
                    }
                }
            }
        }
    }
}

pub struct MemoryDelivery {
    bus: MemoryBus,
    consumer: Arc<str>,
    seq: u64,
    /// Held here, not in the log, until answered: trimming cannot lose it.
    event: Arc<Event>,
    answered: bool,
}

impl MemoryDelivery {
    pub(crate) fn event(&self) -> &Event {
        &self.event
    }

    pub(crate) fn ack(mut self) {
        self.answered = true;
        self.bus.lock().ack(&self.consumer);
    }

    pub(crate) fn nack(mut self, delay: Duration) {
        self.answered = true;
        let now = Instant::now();
        // A delay too long for the clock means "much later", not a panic.
        let due = now
            .checked_add(delay)
            .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600));
        self.redeliver(due);
    }

    fn redeliver(&self, due: Instant) {
        self.bus
            .lock()
            .redeliver(&self.consumer, self.seq, self.event.clone(), due);
    }
}

impl Drop for MemoryDelivery {
    fn drop(&mut self) {
        if !self.answered {
            self.redeliver(Instant::now());
        }
    }
}
