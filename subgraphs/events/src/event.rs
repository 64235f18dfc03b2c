//! The envelope of every event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One domain event. `id` is unique per event and is what consumers dedupe on;
/// `aggregate_id` names the thing that changed (an order, a payment, a reservation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: uuid::Uuid,
    /// Dotted `<aggregate>.<what happened>`, e.g. `order.placed`; see [`event_types`].
    #[serde(rename = "type")]
    pub event_type: String,
    pub aggregate_id: String,
    pub occurred_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

impl Event {
    /// A new event with a fresh (time-ordered) id, happening now.
    pub fn new(
        event_type: impl Into<String>,
        aggregate_id: impl Into<String>,
        payload: serde_json::Value,
    ) -> Event {
        Event {
            id: uuid::Uuid::now_v7(),
            event_type: event_type.into(),
            aggregate_id: aggregate_id.into(),
            // Millisecond precision: what the outbox stores, so a relayed event
            // equals the one that was written.
            occurred_at: DateTime::from_timestamp_millis(Utc::now().timestamp_millis())
                .unwrap_or_else(Utc::now),
            payload,
        }
    }
}

/// The event types the shop's services publish.
pub mod event_types {
    /// An order was stored and its checkout saga started. Payload: `userId`, `items`
    /// (`productId`, `quantity`, `unitPriceCents`), `totalCents`, `currency`.
    pub const ORDER_PLACED: &str = "order.placed";
    /// The order was paid and its stock committed.
    pub const ORDER_CONFIRMED: &str = "order.confirmed";
    /// The order will not be fulfilled: stock goes back, a payment is refunded.
    /// Payload: `reason`, `items`.
    pub const ORDER_CANCELLED: &str = "order.cancelled";
    /// Stock was short; nothing was charged. Payload: `reason`.
    pub const ORDER_REJECTED: &str = "order.rejected";
    /// The payment was declined (or never completed); its reservation must go back.
    /// Payload: `reason`.
    pub const ORDER_PAYMENT_FAILED: &str = "order.payment_failed";
    /// The order entered a status: every change, `PENDING` at creation included,
    /// written in the transaction that makes it. Payload: `status`, `reason`,
    /// `changeId` (the id of the change in the order's status history: UUID v7,
    /// ordered as the history is), `at`. What live subscriptions to an order
    /// wake on; the other `order.*` events say what others must do.
    pub const ORDER_STATUS_CHANGED: &str = "order.status_changed";
    /// Stock was reserved for an order. Aggregate: the reservation. Payload:
    /// `orderId`, `items` (`productId`, `quantity`).
    pub const STOCK_RESERVED: &str = "stock.reserved";
    /// Reserved or sold stock went back on the shelf. Aggregate: the reservation.
    /// Payload: `orderId`, `items` (`productId`, `quantity`), `reason`.
    pub const STOCK_RELEASED: &str = "stock.released";
    /// Staff added units of a product. Aggregate: the product. Payload:
    /// `productId`, `quantity`, `available` (the level after).
    pub const STOCK_RESTOCKED: &str = "stock.restocked";
    /// A charge went through. Aggregate: the payment.
    pub const PAYMENT_SUCCEEDED: &str = "payment.succeeded";
    /// A charge was declined. Aggregate: the payment.
    pub const PAYMENT_FAILED: &str = "payment.failed";
    /// A payment was refunded in full. Aggregate: the payment.
    pub const PAYMENT_REFUNDED: &str = "payment.refunded";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_camel_case_json() {
        let event = Event::new("order.placed", "o-1", serde_json::json!({ "a": 1 }));
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "order.placed");
        assert_eq!(json["aggregateId"], "o-1");
        assert!(json["occurredAt"].is_string());
        let back: Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
