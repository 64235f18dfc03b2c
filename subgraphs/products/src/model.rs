//! The GraphQL types this service owns: `Product` (an entity keyed by `id`) and
//! the shared `Money` value type.

use async_graphql::{ID, SimpleObject};

/// The `@shareable` money type every subgraph that uses money shares.
pub use shop_common::money::Money;

/// A catalog entry. Other services extend it by `id` (inventory adds stock).
#[derive(Debug, Clone, SimpleObject)]
pub struct Product {
    pub id: ID,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price: Money,
    pub weight_grams: i32,
    pub category: String,
}

/// One `products` edge: the node and the opaque cursor that points just past it.
#[derive(Debug, Clone, SimpleObject)]
pub struct ProductEdge {
    pub cursor: String,
    pub node: Product,
}

// Relay's page info; `@shareable` so that other subgraphs may page the same way.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(shareable)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A page of products, in stable id order.
#[derive(Debug, Clone, SimpleObject)]
pub struct ProductConnection {
    pub edges: Vec<ProductEdge>,
    pub page_info: PageInfo,
    /// How many products match the filter, across all pages.
    pub total_count: i32,
}
