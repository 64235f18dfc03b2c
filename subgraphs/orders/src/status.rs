//! The life cycle of an order. The checkout saga moves an order from `PENDING`
//! through stock reservation (`RESERVED`, or `REJECTED` when stock is short) and
//! payment (`CONFIRMED`, or `PAYMENT_FAILED`); `CANCELLED` is a customer's or an
//! operator's decision. Stored by name so the column reads well in SQL.

use async_graphql::Enum;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Reserved,
    PaymentFailed,
    Rejected,
    Confirmed,
    Cancelled,
}

impl OrderStatus {
    /// The name stored in `orders.status` (identical to the GraphQL enum value).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "PENDING",
            OrderStatus::Reserved => "RESERVED",
            OrderStatus::PaymentFailed => "PAYMENT_FAILED",
            OrderStatus::Rejected => "REJECTED",
            OrderStatus::Confirmed => "CONFIRMED",
            OrderStatus::Cancelled => "CANCELLED",
        }
    }

    /// No status follows this one: a rejected, failed or cancelled order stays
    /// so (only `CONFIRMED` moves on, to `CANCELLED`).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Rejected | OrderStatus::PaymentFailed | OrderStatus::Cancelled
        )
    }

    /// Reads a stored name; `None` for a value this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        [
            OrderStatus::Pending,
            OrderStatus::Reserved,
            OrderStatus::PaymentFailed,
            OrderStatus::Rejected,
            OrderStatus::Confirmed,
            OrderStatus::Cancelled,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for name in [
            "PENDING",
            "RESERVED",
            "PAYMENT_FAILED",
            "REJECTED",
            "CONFIRMED",
            "CANCELLED",
        ] {
            assert_eq!(
                OrderStatus::parse(name).map(OrderStatus::as_str),
                Some(name)
            );
        }
        assert_eq!(OrderStatus::parse("pending"), None);
    }
}
