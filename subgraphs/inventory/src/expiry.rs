//! The background sweep that returns the stock of reservations nobody
//! committed in time, so stock comes back even when no one calls in.

use std::time::Duration;

use crate::reservations::Reservations;

/// Runs `expire_due` every `interval` for as long as the runtime lives. Errors
/// are logged and the next tick tries again: a database hiccup must not end the
/// sweep for good.
pub fn spawn_sweeper(
    reservations: Reservations,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match reservations.expire_due().await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "expired reservations returned their stock"),
                Err(err) => tracing::warn!(%err, "reservation expiry sweep failed"),
            }
        }
    })
}
