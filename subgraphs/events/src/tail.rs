//! Tails: a live, non-durable view of the events published from now on, for
//! telling a service's own clients that something changed (GraphQL
//! subscriptions). Unlike a consumer ([`crate::Subscription`]) a tail has no
//! name, no position kept by the bus and no acknowledgements: it starts at the
//! next event published and ends with its holder, and every process gets every
//! event (consumers sharing a name share the work instead).
//!
//! A tail never loses events silently: one that fell behind (the in-process
//! bus keeps the last 1,024 events for its tails) or whose JetStream consumer
//! skipped a sequence number answers [`BusError::Lagged`]. What it missed is
//! not replayed; its holder re-reads the state the events describe instead
//! ([`crate::live`] does).

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::bus::BusError;
use crate::event::Event;
use crate::nats::NatsTail;

/// The events of some types published after the tail started.
pub struct Tail {
    inner: TailInner,
    types: Vec<String>,
}

enum TailInner {
    Memory(broadcast::Receiver<Arc<Event>>),
    Nats(Box<NatsTail>),
}

impl Tail {
    pub(crate) fn memory(receiver: broadcast::Receiver<Arc<Event>>, types: Vec<String>) -> Tail {
        Tail {
            inner: TailInner::Memory(receiver),
            types,
        }
    }

    pub(crate) fn nats(tail: NatsTail, types: Vec<String>) -> Tail {
        Tail {
            inner: TailInner::Nats(Box::new(tail)),
            types,
        }
    }

    /// The next event of the tail's types. `Some(Err(_))` when events may have
    /// been missed ([`BusError::Lagged`]) or the transport failed: start a new
    /// tail and re-read what the events are about. `None` once the bus is gone.
    pub async fn next(&mut self) -> Option<Result<Arc<Event>, BusError>> {
        loop {
            let event = match &mut self.inner {
                TailInner::Memory(receiver) => match receiver.recv().await {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        return Some(Err(BusError::Lagged {
                            consumer: "tail".to_owned(),
                            missed,
                        }));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                TailInner::Nats(tail) => match tail.next().await? {
                    Ok(event) => Arc::new(event),
                    Err(err) => return Some(Err(err)),
                },
            };
            if self.types.iter().any(|t| *t == event.event_type) {
                return Some(Ok(event));
            }
        }
    }
}
