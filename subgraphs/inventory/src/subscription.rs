//! `stockChanged`: public, like the stock levels it streams.

use async_graphql::{Context, ID, Result, Subscription as SubscriptionObject};
use futures::{Stream, StreamExt};
use shop_common::coded_error;
use shop_common::errors::internal_error;
use shop_events::live::LiveFeed;

use crate::error::InventoryError;
use crate::live;
use crate::product::Product;
use crate::query::reservations;
use crate::stock;

/// Longest product id accepted: ids are short; a megabyte of id is not one.
const MAX_PRODUCT_ID_LEN: usize = 255;

pub struct Subscription;

#[SubscriptionObject]
impl Subscription {
    /// The product each time the units available to reserve change (a
    /// reservation takes them; a release, an expiry, a cancelled order's return
    /// and a restock give them back; committing a reservation changes nothing
    /// available). The first event is the product as it is when the
    /// subscription starts. Levels are conflated, not queued: changes faster
    /// than the subscriber reads (or than one every 250 ms) arrive as the
    /// latest level, and a level equal to the last one sent is not sent again.
    /// `Product` is the catalogue's entity: the router adds the fields other
    /// subgraphs own (name, price). A product inventory never stocked has 0.
    async fn stock_changed(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
    ) -> Result<impl Stream<Item = Result<Product>> + use<>> {
        if product_id.trim().is_empty() || product_id.len() > MAX_PRODUCT_ID_LEN {
            return Err(coded_error(
                "BAD_USER_INPUT",
                format!("productId must be 1 to {MAX_PRODUCT_ID_LEN} characters"),
            ));
        }
        let feed = ctx
            .data::<LiveFeed>()
            .map_err(|e| internal_error("live feed missing", e.message))?;
        let db = reservations(ctx)?.db().clone();
        // Watch first, read second: a change committed after the read wakes it.
        let watch = feed.watch(product_id.as_str());
        let current = stock::available(&db, product_id.as_str())
            .await
            .map_err(InventoryError::into_graphql)?;
        Ok(live::levels(db, current, watch).map(move |level| {
            level
                .map(|available| Product {
                    id: product_id.clone(),
                    price: None,
                    weight_grams: None,
                    available,
                })
                .map_err(InventoryError::into_graphql)
        }))
    }
}
