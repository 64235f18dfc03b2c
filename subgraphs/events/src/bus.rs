//! The bus interface: publish, and durable named subscriptions whose deliveries are
//! acknowledged one by one. Both transports deliver at least once: an event that is
//! not acknowledged (negatively acknowledged, or dropped while handling it) comes
//! back. Both retain events within limits (count and age); the in-process bus tells
//! a consumer that fell behind them how many events it missed ([`BusError::Lagged`])
//! rather than letting it miss them unnoticed.

use std::time::Duration;

use crate::event::Event;
use crate::memory::{MemoryBus, MemoryDelivery, MemoryLimits, MemorySubscription};
use crate::nats::{NatsBus, NatsDelivery, NatsSubscription};
use crate::spec::BusSpec;
use crate::stats::BusStats;
use crate::tail::Tail;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error(
        "unknown event bus {0:?}: expected `memory[?max_msgs=N&max_age=DURATION]` or \
         `nats://host:port[?stream=NAME&max_msgs=N&max_age=DURATION]`"
    )]
    UnknownBus(String),
    #[error("invalid event bus {spec:?}: {reason}")]
    InvalidSpec { spec: String, reason: String },
    #[error("cannot connect to NATS at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("NATS JetStream: {0}")]
    JetStream(String),
    #[error("cannot encode event: {0}")]
    Encode(#[from] serde_json::Error),
    /// From [`Subscription::next`]: events of the consumer's types were dropped by
    /// the bus's retention limits before the consumer got them. The subscription
    /// goes on with the oldest retained event.
    #[error(
        "consumer {consumer:?} fell behind the event bus's retention limits and missed \
         {missed} event(s); continuing with the oldest retained event"
    )]
    Lagged { consumer: String, missed: u64 },
}

/// A handle on the bus; cheap to clone, shared by everything in a process.
#[derive(Clone, Debug)]
pub enum EventBus {
    /// In this process only: the default, and what the all-in-one launcher shares
    /// between its services.
    Memory(MemoryBus),
    /// NATS JetStream: one stream holds every event; each consumer is durable.
    Nats(NatsBus),
}

impl EventBus {
    /// A fresh in-process bus with the default limits ([`MemoryLimits`]).
    pub fn memory() -> EventBus {
        EventBus::Memory(MemoryBus::default())
    }

    /// A fresh in-process bus retaining at most `limits`.
    pub fn memory_with_limits(limits: MemoryLimits) -> EventBus {
        EventBus::Memory(MemoryBus::with_limits(limits))
    }

    /// `memory[?max_msgs=N&max_age=DURATION]`, or `nats://host:port` with optional
    /// `?stream=NAME&max_msgs=N&max_age=DURATION` (stream default `SHOP_EVENTS`;
    /// tests use their own stream so that they do not see each other's events).
    /// Durations are humantime's (`500ms`, `10m`). Creates the stream when missing;
    /// limits given for an existing stream update it. A malformed spec is refused
    /// ([`BusError::InvalidSpec`]).
    pub async fn connect(spec: &str) -> Result<EventBus, BusError> {
        match BusSpec::parse(spec)? {
            BusSpec::Memory(limits) => Ok(EventBus::memory_with_limits(limits)),
            BusSpec::Nats {
                url,
                stream,
                limits,
            } => Ok(EventBus::Nats(
                NatsBus::connect(&url, stream, limits).await?,
            )),
        }
    }

    /// What the in-process bus holds and how far behind each consumer is; `None`
    /// for JetStream (ask the server: `nats stream info`).
    pub fn stats(&self) -> Option<BusStats> {
        match self {
            EventBus::Memory(bus) => Some(bus.stats()),
            EventBus::Nats(_) => None,
        }
    }

    /// Publishes `event`; returns once the bus holds it (JetStream: stored and
    /// acknowledged by the server, deduplicated by event id within two minutes).
    pub async fn publish(&self, event: &Event) -> Result<(), BusError> {
        match self {
            EventBus::Memory(bus) => bus.publish(event),
            EventBus::Nats(bus) => bus.publish(event).await,
        }
    }

    /// The durable subscription `consumer`, for the events whose type is in
    /// `types`. A consumer's first subscription starts at the oldest event the bus
    /// still holds; later ones continue where it left off. Subscribers sharing one
    /// name share the work (each event goes to one of them).
    pub async fn subscribe(
        &self,
        consumer: &str,
        types: &[&str],
    ) -> Result<Subscription, BusError> {
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        let inner = match self {
            EventBus::Memory(bus) => SubscriptionInner::Memory(bus.subscribe(consumer, &types)),
            EventBus::Nats(bus) => {
                SubscriptionInner::Nats(Box::new(bus.subscribe(consumer).await?))
            }
        };
        Ok(Subscription { inner, types })
    }

    /// A tail of the events of `types` published from now on: every process
    /// gets every event, nothing is acknowledged or kept for it ([`Tail`]).
    pub async fn tail(&self, types: &[&str]) -> Result<Tail, BusError> {
        let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
        match self {
            EventBus::Memory(bus) => Ok(Tail::memory(bus.tail(), types)),
            EventBus::Nats(bus) => Ok(Tail::nats(bus.tail(&types).await?, types)),
        }
    }

    /// Removes everything this bus holds: the JetStream stream with its consumers
    /// (for tests that made their own stream); nothing for the in-process bus.
    pub async fn destroy(&self) -> Result<(), BusError> {
        match self {
            EventBus::Memory(_) => Ok(()),
            EventBus::Nats(bus) => bus.destroy().await,
        }
    }
}

/// A stream of deliveries for one consumer.
pub struct Subscription {
    inner: SubscriptionInner,
    types: Vec<String>,
}

enum SubscriptionInner {
    Memory(MemorySubscription),
    Nats(Box<NatsSubscription>),
}

impl Subscription {
    /// The next event of a subscribed type; `None` once the bus is gone. Events of
    /// other types are acknowledged and skipped. `Some(Err(BusError::Lagged))` when
    /// the consumer fell behind the bus's retention and events of its types were
    /// dropped before it got them (in-process bus; JetStream consumers are not
    /// told): log it loudly and call `next` again, which goes on with the oldest
    /// retained event.
    pub async fn next(&mut self) -> Option<Result<Delivery, BusError>> {
        loop {
            let delivery = match &mut self.inner {
                SubscriptionInner::Memory(sub) => match sub.next().await? {
                    Ok(delivery) => Delivery::Memory(delivery),
                    Err(err) => return Some(Err(err)),
                },
                SubscriptionInner::Nats(sub) => Delivery::Nats(Box::new(sub.next().await?)),
            };
            if self.types.iter().any(|t| *t == delivery.event().event_type) {
                return Some(Ok(delivery));
            }
            delivery.ack().await;
        }
    }
}

/// One delivered event, to acknowledge once handled.
pub enum Delivery {
    Memory(MemoryDelivery),
    Nats(Box<NatsDelivery>),
}

impl Delivery {
    pub fn event(&self) -> &Event {
        match self {
            Delivery::Memory(d) => d.event(),
            Delivery::Nats(d) => d.event(),
        }
    }

    /// Handled: never deliver again (to this consumer).
    pub async fn ack(self) {
        match self {
            Delivery::Memory(d) => d.ack(),
            Delivery::Nats(d) => d.ack().await,
        }
    }

    /// Not handled: deliver again after `delay`.
    pub async fn nack(self, delay: Duration) {
        match self {
            Delivery::Memory(d) => d.nack(delay),
            Delivery::Nats(d) => d.nack(delay).await,
        }
    }
}
