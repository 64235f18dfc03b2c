//! Subscriptions through the router.
//!
//! - [`events`]: one subscription's task, from the subgraph's events to the
//!   client's (entity fetches per event, a clean end on reload or loss).
//! - [`subgraph`]: the router as a client of subgraph event streams
//!   (WebSocket or SSE, per subgraph).
//! - [`client_ws`]: clients over `graphql-transport-ws` at `/graphql`.
//! - [`http_stream`]: clients over Server-Sent Events and multipart HTTP.
//! - `switchyard_ws_protocol` (`protocol` here): the `graphql-transport-ws`
//!   messages both sides use, shared with the shop's services.
//!
//! Every stream a client holds (an SSE or multipart response, a WebSocket
//! connection) takes one of `subscriptions.max_connections` [`StreamSlots`].

pub(crate) mod client_ws;
pub(crate) mod events;
pub(crate) mod http_stream;
mod subgraph;

use std::sync::Arc;

use switchyard_ws_protocol as protocol;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::telemetry::subscription_metrics::{GaugeGuard, SubscriptionMetrics};

pub use events::{EventStream, SubscriptionEvent};

/// Whether a router state still serves subscriptions ([`RouterInner::retired`]).
///
/// [`RouterInner::retired`]: crate::router::RouterInner
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retired {
    /// Still the state new requests get.
    No,
    /// A reload replaced it: its subscriptions were planned against the old schema.
    Reloaded,
    /// The router is shutting down.
    ShuttingDown,
}

/// The streams clients may hold at once (`subscriptions.max_connections`).
#[derive(Debug, Clone)]
pub(crate) struct StreamSlots(Arc<Semaphore>, SubscriptionMetrics);

/// One held stream; its slot is free again (and it leaves
/// `switchyard_subscription_streams_open`) when this is dropped.
#[derive(Debug)]
pub(crate) struct StreamSlot {
    _permit: OwnedSemaphorePermit,
    _counted: GaugeGuard,
}

impl StreamSlots {
    pub(crate) fn new(max: usize, metrics: SubscriptionMetrics) -> Self {
        StreamSlots(Arc::new(Semaphore::new(max)), metrics)
    }

    /// A slot, or `None` when every one is taken.
    pub(crate) fn take(&self) -> Option<StreamSlot> {
        let permit = self.0.clone().try_acquire_owned().ok()?;
        Some(StreamSlot {
            _permit: permit,
            _counted: self.1.hold_stream(),
        })
    }
}

/// The ping side of a WebSocket's liveness, as the router keeps it with
/// clients and with subgraphs: a ping every period, and the peer is gone when
/// it has not answered the previous ping by the next (a dead connection can
/// stay open without a close).
pub(crate) struct Heartbeat {
    ticks: tokio::time::Interval,
    awaiting_pong: bool,
}

impl Heartbeat {
    /// The first ping is one `period` from now.
    pub(crate) fn new(period: std::time::Duration) -> Self {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Heartbeat {
            ticks,
            awaiting_pong: false,
        }
    }

    /// Waits for the next ping's time: `true` when a ping is to be sent now,
    /// `false` when the previous one is still unanswered (the peer is gone).
    pub(crate) async fn due(&mut self) -> bool {
        self.ticks.tick().await;
        !std::mem::replace(&mut self.awaiting_pong, true)
    }

    /// The peer answered.
    pub(crate) fn pong(&mut self) {
        self.awaiting_pong = false;
    }
}
