//! The life cycle of an order. The checkout saga moves an order from `PENDING`
//! through stock reservation (`RESERVED`, or `REJECTED` when stock is short) and
//! payment (`CONFIRMED`, or `PAYMENT_FAILED`); `CANCELLED` is a customer's or an
//! operator's decision. Stored by name so the column reads well in SQL.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

// The GraphQL enum and the stored column are one type: `orders.status` and
// `order_status_changes.status` hold these names, and a row with a name this
// version does not know fails to load instead of showing as something else.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum OrderStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "RESERVED")]
    Reserved,
    #[sea_orm(string_value = "PAYMENT_FAILED")]
    PaymentFailed,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "CONFIRMED")]
    Confirmed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl OrderStatus {
    /// No status follows this one: a rejected, failed or cancelled order stays
    /// so (only `CONFIRMED` moves on, to `CANCELLED`).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Rejected | OrderStatus::PaymentFailed | OrderStatus::Cancelled
        )
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::resolver_utils::enum_value;
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn stored_names_are_the_graphql_names() {
        for status in OrderStatus::iter() {
            // The stored name (`to_value`, also what events carry) is the GraphQL one.
            assert_eq!(
                enum_value(status),
                async_graphql::Value::Enum(async_graphql::Name::new(status.to_value()))
            );
            assert_eq!(
                OrderStatus::try_from_value(&status.to_value()).ok(),
                Some(status)
            );
        }
        assert!(OrderStatus::try_from_value(&"pending".to_owned()).is_err());
    }
}
