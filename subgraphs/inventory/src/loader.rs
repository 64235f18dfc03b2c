//! Batches stock lookups: the router resolves many `Product` references in one
//! `_entities` request and async-graphql resolves each representation on its
//! own; the loader turns those into a single `WHERE product_id IN (...)` query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::error::InventoryError;
use crate::stock;

pub struct StockLoader(DatabaseConnection);

/// A loader without a cache (stock changes with every reservation), spawning
/// its batches on the tokio runtime.
pub fn stock_loader(db: DatabaseConnection) -> DataLoader<StockLoader> {
    DataLoader::new(
        StockLoader(db),
        shop_common::telemetry::spawn_in_current_span,
    )
}

impl Loader<String> for StockLoader {
    /// Units available; products without a stock row are absent.
    type Value = i64;
    /// `InventoryError` is not `Clone`; the loader hands one error to every key.
    type Error = Arc<InventoryError>;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, i64>, Self::Error> {
        stock::available_of(&self.0, ids).await.map_err(Arc::new)
    }
}
