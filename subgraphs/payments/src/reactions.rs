//! What payments does when other services' events arrive: an order that was
//! cancelled, or whose checkout failed, must not stay charged.

use sea_orm::DatabaseConnection;
use shop_events::event_types::{ORDER_CANCELLED, ORDER_PAYMENT_FAILED};
use shop_events::{Event, EventBus, inbox};

use crate::ledger::{self, LedgerError};

/// The durable consumer's name on the bus.
pub const CONSUMER: &str = "payments";

/// Starts the consumer: refunds the order's payment on `order.cancelled` and on
/// `order.payment_failed` (a charge the checkout never saw complete).
pub fn spawn(db: DatabaseConnection, bus: EventBus) {
    shop_events::consumer::spawn(
        bus,
        CONSUMER,
        &[ORDER_CANCELLED, ORDER_PAYMENT_FAILED],
        move |event| {
            let db = db.clone();
            async move { handle(&db, &event).await }
        },
    );
}

/// Refunding is idempotent by itself (one refund per payment); the inbox row makes
/// a redelivered event skip even the lookup.
async fn handle(db: &DatabaseConnection, event: &Event) -> Result<(), LedgerError> {
    if let Some(payment) = ledger::refund_order(db, &event.aggregate_id).await? {
        tracing::info!(order = %event.aggregate_id, payment = %payment.id, r#type = %event.event_type, "refunded");
    }
    if let Some(txn) = inbox::begin_once(db, CONSUMER, event).await? {
        txn.commit().await?;
    }
    Ok(())
}
