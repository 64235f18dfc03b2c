//! Live stock levels, for `stockChanged`: which products' stock moved (the
//! `stock.reserved`, `stock.released` and `stock.restocked` events, through a
//! [`LiveFeed`]) and the stream of one product's available units.
//!
//! A level is a level: only the latest matters. The stream emits the units
//! available when the subscription starts, then the level read from the
//! database after each wake-up, when it differs from the last one emitted; so
//! changes that come faster than a subscriber reads collapse into the latest
//! level, and nothing queues for a slow subscriber. Committing a reservation
//! changes no available units (they were taken when reserved), so it emits
//! nothing. At most one read per [`MIN_INTERVAL`] and subscription: a busy
//! product cannot turn its subscribers into a flood of reads.

use std::pin::Pin;
use std::time::Duration;

use futures::Stream;
use sea_orm::DatabaseConnection;
use shop_events::event_types::{STOCK_RELEASED, STOCK_RESERVED, STOCK_RESTOCKED};
use shop_events::live::{KeyWatch, LiveFeed};
use shop_events::{Event, EventBus};
use tokio::time::{Instant, Sleep};

use crate::error::InventoryError;
use crate::stock;

/// The shortest time between two reads (and two events) of one subscription.
pub const MIN_INTERVAL: Duration = Duration::from_millis(250);

/// The feed of this process: wakes the subscriptions of a product when an
/// event says its stock moved, whichever process moved it.
pub fn feed(bus: EventBus) -> LiveFeed {
    LiveFeed::spawn(
        bus,
        "inventory",
        &[STOCK_RESERVED, STOCK_RELEASED, STOCK_RESTOCKED],
        products_of,
    )
}

/// The products an event names: `items[].productId` of reservations and
/// releases, `productId` of a restock.
fn products_of(event: &Event) -> Vec<String> {
    let payload = &event.payload;
    let mut products: Vec<String> = payload["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["productId"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if let Some(product) = payload["productId"].as_str() {
        products.push(product.to_owned());
    }
    products
}

/// The available units of the watched product: `current` (read after `watch`
/// was taken), then every different level after a wake-up.
pub fn levels(
    db: DatabaseConnection,
    current: i64,
    watch: KeyWatch,
) -> impl Stream<Item = Result<i64, InventoryError>> + Send + 'static {
    let state = State {
        db,
        pending: Some(current),
        emitted: None,
        watch,
        pause: Box::pin(tokio::time::sleep(Duration::ZERO)),
        finished: false,
    };
    futures::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
}

struct State {
    db: DatabaseConnection,
    /// A level read and not emitted yet.
    pending: Option<i64>,
    emitted: Option<i64>,
    watch: KeyWatch,
    /// Until when the next read waits ([`MIN_INTERVAL`] after the last one).
    pause: Pin<Box<Sleep>>,
    finished: bool,
}

impl State {
    async fn next(&mut self) -> Option<Result<i64, InventoryError>> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(level) = self.pending.take()
                && self.emitted != Some(level)
            {
                self.emitted = Some(level);
                return Some(Ok(level));
            }
            self.watch.changed().await;
            (&mut self.pause).await;
            self.pause.as_mut().reset(Instant::now() + MIN_INTERVAL);
            match stock::available(&self.db, self.watch.key()).await {
                Ok(level) => self.pending = Some(level),
                Err(err) => {
                    self.finished = true;
                    return Some(Err(err));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn events_name_their_products() {
        let reserved = Event::new(
            STOCK_RESERVED,
            "r-1",
            json!({ "orderId": "o-1", "items": [
                { "productId": "p-1", "quantity": 1 },
                { "productId": "p-2", "quantity": 2 },
            ]}),
        );
        assert_eq!(products_of(&reserved), ["p-1", "p-2"]);
        let restocked = Event::new(
            STOCK_RESTOCKED,
            "p-3",
            json!({ "productId": "p-3", "quantity": 5, "available": 9 }),
        );
        assert_eq!(products_of(&restocked), ["p-3"]);
        let odd = Event::new(STOCK_RELEASED, "r-2", json!({ "items": "?" }));
        assert!(products_of(&odd).is_empty());
    }
}
