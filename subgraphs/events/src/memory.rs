//! The in-process bus. It keeps every event published since the process started, so
//! that a consumer subscribing late (services start one after another) still sees
//! the events published before it; each named consumer has its own queue.
//!
//! Delivery is at least once within the process: a delivery that is negatively
//! acknowledged, or dropped without an answer (its handler panicked or was
//! cancelled), is queued again. Nothing survives the process: a restarted service
//! relies on its outbox (unpublished rows are published again) and on its own
//! state, which is why production runs on JetStream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::event::Event;

#[derive(Clone, Default)]
pub struct MemoryBus {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for MemoryBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryBus")
    }
}

#[derive(Default)]
struct State {
    log: Vec<Event>,
    consumers: HashMap<String, Queue>,
}

#[derive(Clone)]
struct Queue {
    sender: mpsc::UnboundedSender<Event>,
    receiver: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Event>>>,
}

impl MemoryBus {
    pub(crate) fn publish(&self, event: &Event) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.log.push(event.clone());
        for queue in state.consumers.values() {
            // A queue whose receiver is gone has no subscriber left to miss it.
            let _ = queue.sender.send(event.clone());
        }
    }

    pub(crate) fn subscribe(&self, consumer: &str) -> MemorySubscription {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(queue) = state.consumers.get(consumer) {
            return MemorySubscription {
                queue: queue.clone(),
            };
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        for event in &state.log {
            let _ = sender.send(event.clone());
        }
        let queue = Queue {
            sender,
            receiver: Arc::new(tokio::sync::Mutex::new(receiver)),
        };
        state.consumers.insert(consumer.to_owned(), queue.clone());
        MemorySubscription { queue }
    }
}

pub struct MemorySubscription {
    queue: Queue,
}

impl MemorySubscription {
    pub(crate) async fn next(&mut self) -> Option<MemoryDelivery> {
        let event = self.queue.receiver.lock().await.recv().await?;
        Some(MemoryDelivery {
            event: Some(event),
            requeue: self.queue.sender.clone(),
        })
    }
}

pub struct MemoryDelivery {
    /// `None` once answered.
    event: Option<Event>,
    requeue: mpsc::UnboundedSender<Event>,
}

impl MemoryDelivery {
    pub(crate) fn event(&self) -> &Event {
        self.event
            .as_ref()
            .expect("a delivery holds its event until answered")
    }

    pub(crate) fn ack(mut self) {
        self.event = None;
    }

    pub(crate) fn nack(mut self, delay: Duration) {
        if let Some(event) = self.event.take() {
            let requeue = self.requeue.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = requeue.send(event);
            });
        }
    }
}

impl Drop for MemoryDelivery {
    fn drop(&mut self) {
        if let Some(event) = self.event.take() {
            let _ = self.requeue.send(event);
        }
    }
}
