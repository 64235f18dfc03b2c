//! `Order`, owned by this subgraph, its `OrderItem`s, and the `Product` stub items
//! point at (the products subgraph resolves products; this one only names them).

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Money, User};
use crate::repository::OrderModel;
use crate::status::OrderStatus;

pub struct Order(pub OrderModel);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.0.order.id.clone())
    }

    async fn user(&self) -> User {
        User {
            id: ID(self.0.order.user_id.clone()),
        }
    }

    async fn items(&self) -> async_graphql::Result<Vec<OrderItem>> {
        self.0
            .items
            .iter()
            .map(|item| {
                Ok(OrderItem {
                    product: Product {
                        id: ID(item.product_id.clone()),
                    },
                    quantity: item.quantity,
                    unit_price: Money::from_stored(item.unit_price_cents, &item.currency)?,
                })
            })
            .collect()
    }

    async fn total(&self) -> async_graphql::Result<Money> {
        Money::from_stored(self.0.order.total_cents, &self.0.order.currency)
    }

    async fn status(&self) -> OrderStatus {
        self.0.order.status
    }

    /// Every status the order went through, oldest first, with when.
    async fn status_history(&self) -> Vec<OrderStatusChange> {
        self.0
            .history
            .iter()
            .map(|change| OrderStatusChange {
                status: change.status,
                at: change.at,
                reason: change.reason.clone(),
            })
            .collect()
    }

    /// Why the order is in its status, when there is something to say: the product
    /// that was out of stock, the card's decline reason, why it was cancelled.
    async fn status_reason(&self) -> Option<&str> {
        self.0.history.last().and_then(|c| c.reason.as_deref())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.order.created_at
    }
}

/// One step of an order's life.
#[derive(SimpleObject)]
pub struct OrderStatusChange {
    pub status: OrderStatus,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// One line of an order, at the unit price it was sold at.
#[derive(SimpleObject)]
pub struct OrderItem {
    pub product: Product,
    pub quantity: i32,
    pub unit_price: Money,
}

/// A product of the catalog, referenced by id only: `resolvable: false` tells the
/// router never to ask this subgraph for product fields.
#[derive(SimpleObject)]
#[graphql(unresolvable)]
pub struct Product {
    pub id: ID,
}
