//! The bus interface: publish, and durable named subscriptions whose deliveries are
//! acknowledged one by one. Both transports deliver at least once: an event that is
//! not acknowledged (negatively acknowledged, or dropped while handling it) comes
//! back.

use std::time::Duration;

use crate::event::Event;
use crate::memory::{MemoryBus, MemoryDelivery, MemorySubscription};
use crate::nats::{NatsBus, NatsDelivery, NatsSubscription};

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("unknown event bus {0:?}: expected `memory` or `nats://host:port[?stream=NAME]`")]
    UnknownBus(String),
    #[error("cannot connect to NATS at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("NATS JetStream: {0}")]
    JetStream(String),
    #[error("cannot encode event: {0}")]
    Encode(#[from] serde_json::Error),
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
    /// A fresh in-process bus.
    pub fn memory() -> EventBus {
        EventBus::Memory(MemoryBus::default())
    }

    /// `memory`, or `nats://host:port` with an optional `?stream=NAME` (default
    /// `SHOP_EVENTS`; tests use their own stream so that they do not see each
    /// other's events). Creates the stream when missing.
    pub async fn connect(spec: &str) -> Result<EventBus, BusError> {
        if spec == "memory" {
            return Ok(EventBus::memory());
        }
        if spec.starts_with("nats://") {
            return Ok(EventBus::Nats(NatsBus::connect(spec).await?));
        }
        Err(BusError::UnknownBus(spec.to_owned()))
    }

    /// Publishes `event`; returns once the bus holds it (JetStream: stored and
    /// acknowledged by the server, deduplicated by event id within two minutes).
    pub async fn publish(&self, event: &Event) -> Result<(), BusError> {
        match self {
            EventBus::Memory(bus) => {
                bus.publish(event);
                Ok(())
            }
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
        let types = types.iter().map(|t| (*t).to_owned()).collect();
        let inner = match self {
            EventBus::Memory(bus) => SubscriptionInner::Memory(bus.subscribe(consumer)),
            EventBus::Nats(bus) => {
                SubscriptionInner::Nats(Box::new(bus.subscribe(consumer).await?))
            }
        };
        Ok(Subscription { inner, types })
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
    /// other types are acknowledged and skipped.
    pub async fn next(&mut self) -> Option<Delivery> {
        loop {
            let delivery = match &mut self.inner {
                SubscriptionInner::Memory(sub) => Delivery::Memory(sub.next().await?),
                SubscriptionInner::Nats(sub) => Delivery::Nats(Box::new(sub.next().await?)),
            };
            if self.types.iter().any(|t| *t == delivery.event().event_type) {
                return Some(delivery);
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
