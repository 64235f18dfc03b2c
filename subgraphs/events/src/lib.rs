//! Events between the shop's services.
//!
//! Services answer each other synchronously only where an answer is needed at once
//! (prices, a reservation, a charge); everything else travels as events:
//!
//! - [`Event`] is the envelope every event shares (id, type, aggregate, time, JSON
//!   payload).
//! - [`EventBus`] publishes events and hands them to durable, named consumers that
//!   acknowledge each one. Two transports: in-process (default, one process) and NATS
//!   JetStream (separate processes, production).
//! - [`outbox`]: a service writes its events into its own `outbox` table in the same
//!   transaction as the change they describe; a relay task publishes them. Delivery is
//!   therefore at least once, never "changed but not announced".
//! - [`inbox`]: consumers record each processed event id in their own
//!   `processed_events` table, in the transaction of their reaction, so a redelivered
//!   event changes nothing.
//! - [`schema`]: the SQL of both tables, for each service's migrations.

mod bus;
pub mod consumer;
mod event;
pub mod inbox;
mod memory;
mod nats;
pub mod outbox;
pub mod schema;

pub use bus::{BusError, Delivery, EventBus, Subscription};
pub use event::{Event, event_types};
