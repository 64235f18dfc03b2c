//! Where a reservation stands: one enum, stored as a typed column (sea-orm
//! active enum) and shown as the GraphQL enum, by the same names. Every state
//! but `ACTIVE` is final, so unlike payments there is no internal-only state to
//! keep out of the schema.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// Where a reservation stands. Only `ACTIVE` holds stock that can still return
/// to the shelf; the other states are final. Internal, like every reservation type:
/// `@inaccessible`, so not in the supergraph's API schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, EnumIter, DeriveActiveEnum)]
#[graphql(inaccessible)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum ReservationStatus {
    /// Stock is held for the order until `expiresAt`.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// The order went through: the units are sold.
    #[sea_orm(string_value = "COMMITTED")]
    Committed,
    /// The order gave the units back.
    #[sea_orm(string_value = "RELEASED")]
    Released,
    /// Nobody committed in time; the units went back to stock.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
}

#[cfg(test)]
mod tests {
    use async_graphql::resolver_utils::enum_value;
    use sea_orm::Iterable;

    use super::*;

    /// The stored value is the GraphQL name: the table's `CHECK` and the schema
    /// spell the states the same way.
    #[test]
    fn stored_values_are_the_graphql_names() {
        for status in ReservationStatus::iter() {
            assert_eq!(
                enum_value(status),
                async_graphql::Value::Enum(async_graphql::Name::new(status.to_value()))
            );
        }
    }
}
