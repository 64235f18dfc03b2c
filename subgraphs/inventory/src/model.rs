//! The GraphQL types of the inventory service.

use async_graphql::{Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};

/// The `@shareable` money type every subgraph that uses money shares.
pub use shop_common::money::Money;

/// The `price { amountCents currency }` the router passes in a `Product`
/// representation because `shippingEstimate` requires it. Only parsed from
/// representations, never part of the schema.
#[derive(Debug, Clone, InputObject)]
#[graphql(name = "InventoryRequiredPrice", visible = false)]
pub struct RequiredPrice {
    pub amount_cents: i32,
    pub currency: String,
}

/// Where a reservation stands. Only `ACTIVE` holds stock that can still return
/// to the shelf; the other states are final. Internal, like every reservation type:
/// `@inaccessible`, so not in the supergraph's API schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(inaccessible)]
pub enum ReservationStatus {
    /// Stock is held for the order until `expiresAt`.
    Active,
    /// The order went through: the units are sold.
    Committed,
    /// The order gave the units back.
    Released,
    /// Nobody committed in time; the units went back to stock.
    Expired,
}

impl ReservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Committed => "COMMITTED",
            Self::Released => "RELEASED",
            Self::Expired => "EXPIRED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ACTIVE" => Self::Active,
            "COMMITTED" => Self::Committed,
            "RELEASED" => Self::Released,
            "EXPIRED" => Self::Expired,
            _ => return None,
        })
    }
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
