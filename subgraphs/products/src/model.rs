//! The GraphQL types this service owns: `Product` (an entity keyed by `id`) and
//! the shared `Money` value type.

use async_graphql::{ID, SimpleObject};

// An amount of money: integer minor units and an ISO 4217 code, never a float.
// Identical in every subgraph that uses it, hence `@shareable`; a plain comment
// rather than a doc comment so that no description differs between subgraphs.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
#[graphql(shareable)]
pub struct Money {
    pub amount_cents: i32,
    pub currency: String,
}

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
