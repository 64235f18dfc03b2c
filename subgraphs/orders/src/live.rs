//! Live order statuses, for `orderStatusChanged`: which orders changed (the
//! `order.status_changed` events, through a [`LiveFeed`]) and the stream of one
//! order's statuses.
//!
//! The stream emits the order as it is when the subscription starts, then the
//! order as of every later change of its status history, oldest first. The
//! events only wake it; what it emits is read from the database, so it is
//! exactly the history: every status once, in order, whether the bus delivered
//! an event twice, late, or (after a lag) not at all. A subscriber that reads
//! slowly is simply woken less often and catches up from the history. After a
//! final status (`REJECTED`, `PAYMENT_FAILED`, `CANCELLED`) the stream ends:
//! nothing can follow.

use std::pin::Pin;

use futures::Stream;
use sea_orm::{DatabaseConnection, DbErr};
use shop_events::EventBus;
use shop_events::event_types::ORDER_STATUS_CHANGED;
use shop_events::live::{KeyWatch, LiveFeed};
use tokio::time::{Instant, Sleep};

use crate::repository::{self, OrderModel};

/// The feed of this process: wakes the subscriptions of an order when its
/// status changed, whichever process changed it.
pub fn feed(bus: EventBus) -> LiveFeed {
    LiveFeed::spawn(bus, "orders", &[ORDER_STATUS_CHANGED], |event| {
        vec![event.aggregate_id.clone()]
    })
}

/// Why a status stream ended early.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("the order is gone")]
    Gone,
    #[error("the subscriber's token expired")]
    TokenExpired,
    #[error("cannot read the order: {0}")]
    Db(#[from] DbErr),
}

/// The statuses of `current` (read after `watch` was taken) from now on; ends
/// with [`LiveError::TokenExpired`] at `expires_at`, the subscriber's token's
/// expiry.
pub fn statuses(
    db: DatabaseConnection,
    current: OrderModel,
    watch: KeyWatch,
    expires_at: Instant,
) -> impl Stream<Item = Result<OrderModel, LiveError>> + Send + 'static {
    let state = State {
        db,
        latest: current,
        emitted: None,
        watch,
        expiry: Box::pin(tokio::time::sleep_until(expires_at)),
        finished: false,
    };
    futures::stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    })
}

struct State {
    db: DatabaseConnection,
    /// The order as last read.
    latest: OrderModel,
    /// How many changes of `latest.history` the subscriber has seen; `None`
    /// before the first item (the order as it is).
    emitted: Option<usize>,
    watch: KeyWatch,
    expiry: Pin<Box<Sleep>>,
    finished: bool,
}

impl State {
    async fn next(&mut self) -> Option<Result<OrderModel, LiveError>> {
        loop {
            if self.finished {
                return None;
            }
            let Some(emitted) = self.emitted else {
                self.emitted = Some(self.latest.history.len());
                self.finished = is_final(&self.latest);
                return Some(Ok(self.latest.clone()));
            };
            if emitted < self.latest.history.len() {
                self.emitted = Some(emitted + 1);
                let then = repository::as_of(&self.latest, emitted)?;
                self.finished = is_final(&then);
                return Some(Ok(then));
            }
            tokio::select! {
                () = self.watch.changed() => {
                    match repository::find_order(&self.db, self.watch.key()).await {
                        Ok(Some(order)) => self.latest = order,
                        Ok(None) => return self.fail(LiveError::Gone),
                        Err(err) => return self.fail(err.into()),
                    }
                }
                () = &mut self.expiry => return self.fail(LiveError::TokenExpired),
            }
        }
    }

    fn fail(&mut self, error: LiveError) -> Option<Result<OrderModel, LiveError>> {
        self.finished = true;
        Some(Err(error))
    }
}

fn is_final(order: &OrderModel) -> bool {
    order.order.status.is_final()
}
