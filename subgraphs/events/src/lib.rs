//! Events between the shop's services.
//!
//! Services answer each other synchronously only where an answer is needed at once
//! (prices, a reservation, a charge); everything else travels as events:
//!
//! - [`Event`] is the envelope every event shares (id, type, aggregate, time, JSON
//!   payload).
//! - [`EventBus`] publishes events and hands them to durable, named consumers that
//!   acknowledge each one. Two transports: in-process (default, one process) and NATS
//!   JetStream (separate processes, production). Both retain events within limits
//!   (count and age): the in-process bus keeps at most 10,000 events for 10 minutes
//!   unless its spec says otherwise (`memory?max_msgs=5000&max_age=10m`, see
//!   [`MemoryLimits`]); a consumer that falls behind them gets
//!   [`BusError::Lagged`] with the number of events it missed, never silence.
//!   [`EventBus::stats`] shows what the in-process bus holds ([`BusStats`]).
//! - [`outbox`]: a service writes its events into its own `outbox` table in the same
//!   transaction as the change they describe; a relay task publishes them. Delivery is
//!   therefore at least once, never "changed but not announced".
//! - [`inbox`]: consumers record each processed event id in their own
//!   `processed_events` table, in the transaction of their reaction, so a redelivered
//!   event changes nothing.
//! - The tables themselves are created by each service's migrations
//!   (`events-tables-migration`, frozen per version).

mod bus;
pub mod consumer;
mod event;
pub mod inbox;
mod memory;
mod nats;
pub mod outbox;
mod spec;
mod stats;

pub use bus::{BusError, Delivery, EventBus, Subscription};
pub use event::{Event, event_types};
pub use memory::{MemoryBus, MemoryLimits};
pub use stats::{BusStats, ConsumerStats};
