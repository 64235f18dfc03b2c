//! The in-process bus's state, without any waiting: the retained log of events with
//! their sequence numbers, trimmed to the limits, and each named consumer's cursor
//! into it, its redeliveries and its count of events lost to trimming. The async
//! side (locking, waking subscribers, timers) is in the parent module.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::MemoryLimits;
use crate::event::Event;
use crate::stats::{BusStats, ConsumerStats};

pub(super) struct Log {
    limits: MemoryLimits,
    /// Oldest first; sequence numbers are consecutive.
    events: VecDeque<Stored>,
    /// Sequence number of the next event published; the first one is 1, so this is
    /// also one more than the number of events ever published.
    next_seq: u64,
    retained_bytes: usize,
    consumers: HashMap<String, Consumer>,
}

struct Stored {
    seq: u64,
    /// Shared with the deliveries and redeliveries of it, which outlive trimming.
    event: Arc<Event>,
    at: Instant,
    bytes: usize,
}

struct Consumer {
    /// The union of the types its subscriptions asked for; other events are
    /// skipped, neither delivered nor counted as missed.
    types: HashSet<String>,
    /// Sequence number of the next event to look at; never below the oldest
    /// retained event (trimming moves it on and counts what it skipped).
    cursor: u64,
    /// Events of its types trimmed before it got them and not yet reported.
    unreported: u64,
    /// All events of its types it ever lost to trimming.
    missed: u64,
    /// Handed to a subscriber and not answered yet.
    in_flight: usize,
    redeliveries: BinaryHeap<Redelivery>,
    /// Wakes its waiting subscribers: a new event, a redelivery, a lag to report.
    notify: Arc<Notify>,
}

impl Consumer {
    fn wants(&self, event_type: &str) -> bool {
        self.types.contains(event_type)
    }
}

/// A delivery that was negatively acknowledged (or dropped unanswered), to go again
/// at `due`. It holds the event itself, so trimming the log cannot lose it.
struct Redelivery {
    due: Instant,
    seq: u64,
    event: Arc<Event>,
}

// Ordered so that the `BinaryHeap` (a max-heap) pops the earliest due first, and
// among equals the oldest event.
impl Ord for Redelivery {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

impl PartialOrd for Redelivery {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Redelivery {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Redelivery {}

/// What a consumer's subscriber gets next.
pub(super) enum Next {
    /// Events of its types were trimmed before it got them: how many.
    Lagged(u64),
    Deliver {
        seq: u64,
        event: Arc<Event>,
    },
    /// Nothing now; wait for a wake-up, or until the first redelivery is due.
    Wait(Option<Instant>),
}

impl Log {
    pub(super) fn new(limits: MemoryLimits) -> Log {
        Log {
            limits,
            events: VecDeque::new(),
            next_seq: 1,
            retained_bytes: 0,
            consumers: HashMap::new(),
        }
    }

    /// Sequence number of the oldest retained event (of the next one when empty).
    fn first_seq(&self) -> u64 {
        self.events
            .front()
            .map_or(self.next_seq, |stored| stored.seq)
    }

    /// Appends `event` (`bytes`: its size estimate), trims, and wakes the consumers
    /// that want it.
    pub(super) fn publish(&mut self, event: Event, bytes: usize, now: Instant) {
        for consumer in self.consumers.values() {
            if consumer.wants(&event.event_type) {
                // Waiters wake once the caller releases the lock, and find it.
                consumer.notify.notify_waiters();
            }
        }
        self.events.push_back(Stored {
            seq: self.next_seq,
            event: Arc::new(event),
            at: now,
            bytes,
        });
        self.next_seq += 1;
        self.retained_bytes += bytes;
        self.trim(now);
    }

    /// Drops the oldest events beyond `max_msgs` and those older than `max_age`.
    /// A consumer whose cursor was on a dropped event moves past it and, if the
    /// event was of its types, is told about it on its next delivery.
    pub(super) fn trim(&mut self, now: Instant) {
        while let Some(front) = self.events.front() {
            let too_many = self.events.len() > self.limits.max_msgs;
            let too_old = now.saturating_duration_since(front.at) > self.limits.max_age;
            if !too_many && !too_old {
                break;
            }
            let Some(stored) = self.events.pop_front() else {
                break;
            };
            self.retained_bytes -= stored.bytes;
            for consumer in self.consumers.values_mut() {
                if consumer.cursor <= stored.seq {
                    consumer.cursor = stored.seq + 1;
                    if consumer.wants(&stored.event.event_type) {
                        consumer.unreported += 1;
                        consumer.missed += 1;
                        consumer.notify.notify_waiters();
                    }
                }
            }
        }
    }

    /// Registers `types` for the consumer `name`, created at the oldest retained
    /// event when new; its wake-up handle.
    pub(super) fn subscribe(&mut self, name: &str, types: &[String]) -> Arc<Notify> {
        let first_seq = self.first_seq();
        let consumer = self
            .consumers
            .entry(name.to_owned())
            .or_insert_with(|| Consumer {
                types: HashSet::new(),
                cursor: first_seq,
                unreported: 0,
                missed: 0,
                in_flight: 0,
                redeliveries: BinaryHeap::new(),
                notify: Arc::new(Notify::new()),
            });
        consumer.types.extend(types.iter().cloned());
        consumer.notify.clone()
    }

    /// The next thing for a subscriber of `name`: a lag to report first, then a due
    /// redelivery, then the next retained event of its types.
    pub(super) fn next(&mut self, name: &str, now: Instant) -> Next {
        self.trim(now);
        let first_seq = self.first_seq();
        let Some(consumer) = self.consumers.get_mut(name) else {
            // Subscribing creates the consumer and nothing removes it.
            return Next::Wait(None);
        };
        if consumer.unreported > 0 {
            return Next::Lagged(std::mem::take(&mut consumer.unreported));
        }
        if consumer
            .redeliveries
            .peek()
            .is_some_and(|redelivery| redelivery.due <= now)
            && let Some(redelivery) = consumer.redeliveries.pop()
        {
            consumer.in_flight += 1;
            return Next::Deliver {
                seq: redelivery.seq,
                event: redelivery.event,
            };
        }
        let start =
            usize::try_from(consumer.cursor.saturating_sub(first_seq)).unwrap_or(usize::MAX);
        for stored in self.events.iter().skip(start) {
            consumer.cursor = stored.seq + 1;
            if consumer.wants(&stored.event.event_type) {
                consumer.in_flight += 1;
                return Next::Deliver {
                    seq: stored.seq,
                    event: stored.event.clone(),
                };
            }
        }
        Next::Wait(
            consumer
                .redeliveries
                .peek()
                .map(|redelivery| redelivery.due),
        )
    }

    /// A delivery of `name` was acknowledged.
    pub(super) fn ack(&mut self, name: &str) {
        if let Some(consumer) = self.consumers.get_mut(name) {
            consumer.in_flight = consumer.in_flight.saturating_sub(1);
        }
    }

    /// A delivery of `name` was negatively acknowledged or dropped: it goes again
    /// at `due`.
    pub(super) fn redeliver(&mut self, name: &str, seq: u64, event: Arc<Event>, due: Instant) {
        if let Some(consumer) = self.consumers.get_mut(name) {
            consumer.in_flight = consumer.in_flight.saturating_sub(1);
            consumer.redeliveries.push(Redelivery { due, seq, event });
            // A waiting subscriber may be sleeping until a later redelivery.
            consumer.notify.notify_waiters();
        }
    }

    pub(super) fn stats(&self) -> BusStats {
        let mut consumers: Vec<ConsumerStats> = self
            .consumers
            .iter()
            .map(|(name, consumer)| {
                let start = usize::try_from(consumer.cursor.saturating_sub(self.first_seq()))
                    .unwrap_or(usize::MAX);
                ConsumerStats {
                    name: name.clone(),
                    pending: self
                        .events
                        .iter()
                        .skip(start)
                        .filter(|stored| consumer.wants(&stored.event.event_type))
                        .count(),
                    in_flight: consumer.in_flight,
                    redeliveries: consumer.redeliveries.len(),
                    missed: consumer.missed,
                }
            })
            .collect();
        consumers.sort_by(|a, b| a.name.cmp(&b.name));
        BusStats {
            published: self.next_seq - 1,
            retained: self.events.len(),
            retained_bytes: self.retained_bytes,
            limits: self.limits,
            consumers,
        }
    }
}
