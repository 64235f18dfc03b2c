//! The inventory subgraph: adds `Product.inStock` and `Product.shippingEstimate`,
//! which `@requires(fields: "price weight")` from products, so the router must
//! fetch those first and pass them in the representation.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

use crate::data;

pub type InventorySchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn schema() -> InventorySchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// Built from a representation: the key, plus the external fields when the
/// router sends them for `shippingEstimate`.
pub struct Product {
    upc: String,
    price: Option<i32>,
    weight: Option<i32>,
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.upc
    }

    #[graphql(external)]
    async fn price(&self) -> Option<i32> {
        self.price
    }

    #[graphql(external)]
    async fn weight(&self) -> Option<i32> {
        self.weight
    }

    /// Every product but the fridge (upc 8) is in stock.
    async fn in_stock(&self) -> Option<bool> {
        Some(data::in_stock(&self.upc))
    }

    /// Free shipping above 1000; otherwise half the weight. Null when the router
    /// did not send price and weight.
    #[graphql(requires = "price weight")]
    async fn shipping_estimate(&self) -> Option<i32> {
        Some(data::shipping_estimate(self.price?, self.weight?))
    }
}

pub struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_product_by_upc(
        &self,
        #[graphql(key)] upc: String,
        price: Option<i32>,
        weight: Option<i32>,
    ) -> Product {
        Product { upc, price, weight }
    }
}
