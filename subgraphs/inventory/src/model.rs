//! The GraphQL types of the inventory service.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};

/// The `@shareable` money type every subgraph that uses money shares.
pub use shop_common::money::Money;

pub use crate::status::ReservationStatus;

/// The `price { amountCents currency }` the router passes in a `Product`
/// representation because `shippingEstimate` requires it. Only parsed from
/// representations, never part of the schema.
#[derive(Debug, Clone, InputObject)]
#[graphql(name = "InventoryRequiredPrice", visible = false)]
pub struct RequiredPrice {
    pub amount_cents: i32,
    pub currency: String,
}

/// Units of one product held by a reservation.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(inaccessible)]
pub struct ReservationItem {
    pub product_id: ID,
    pub quantity: i32,
}

/// Stock held for one order, all items or none.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(inaccessible)]
pub struct Reservation {
    pub id: ID,
    pub order_id: ID,
    pub status: ReservationStatus,
    pub items: Vec<ReservationItem>,
    /// When an `ACTIVE` reservation returns its units unless committed first.
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// One line of `reserveStock`.
#[derive(Debug, Clone, InputObject)]
#[graphql(inaccessible)]
pub struct ReservationItemInput {
    pub product_id: ID,
    /// Must be positive.
    pub quantity: i32,
}
