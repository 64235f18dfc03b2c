//! Running a consumer: subscribe, hand each event to a handler, acknowledge what it
//! handled and retry what failed. Handlers are expected to be idempotent (see
//! [`crate::inbox`]), since every transport delivers at least once. A consumer
//! that fell behind the bus's retention limits is logged at error level with the
//! number of events it missed, and goes on.

use std::future::Future;
use std::time::Duration;

use crate::bus::EventBus;
use crate::event::Event;

/// Delay before a failed event is delivered again.
const RETRY_DELAY: Duration = Duration::from_secs(1);

/// Spawns `name`'s consumer loop for `types`. A failing handler's event is negatively
/// acknowledged and comes back after a second; a bus that cannot be subscribed to is
/// tried again every second. Runs as long as the runtime.
pub fn spawn<F, Fut, E>(
    bus: EventBus,
    name: impl Into<String>,
    types: &[&str],
    handler: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: std::fmt::Display,
{
    let name = name.into();
    let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
    tokio::spawn(async move {
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        loop {
            let mut subscription = match bus.subscribe(&name, &types).await {
                Ok(subscription) => subscription,
                Err(err) => {
                    tracing::warn!(consumer = %name, %err, "cannot subscribe; retrying");
                    tokio::time::sleep(RETRY_DELAY).await;
                    continue;
                }
            };
            while let Some(next) = subscription.next().await {
                let delivery = match next {
                    Ok(delivery) => delivery,
                    Err(err) => {
                        // Events this consumer should have handled are gone: its
                        // state may now be off (stock not returned, a refund not
                        // made) and needs an operator. The subscription goes on.
                        tracing::error!(consumer = %name, %err, "events lost to the bus's retention limits");
                        continue;
                    }
                };
                let event = delivery.event().clone();
                let outcome = handler(event.clone()).await.map_err(|e| e.to_string());
                match outcome {
                    Ok(()) => delivery.ack().await,
                    Err(err) => {
                        tracing::warn!(consumer = %name, event = %event.id, r#type = %event.event_type, %err, "event handling failed; will retry");
                        delivery.nack(RETRY_DELAY).await;
                    }
                }
            }
            // The subscription ended (bus gone); with the in-process bus that only
            // happens at shutdown.
            tokio::time::sleep(RETRY_DELAY).await;
        }
    })
}
