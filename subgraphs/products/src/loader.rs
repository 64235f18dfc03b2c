//! Batches product lookups: the router resolves many `Product` references in one
//! `_entities` request and async-graphql resolves each representation on its
//! own; the loader turns those into a single `WHERE id IN (...)` query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::model::Product;
use crate::store::ProductStore;

pub struct ProductLoader(ProductStore);

/// A loader without a cache (it lives as long as the schema), spawning its
/// batches on the tokio runtime.
pub fn product_loader(store: ProductStore) -> DataLoader<ProductLoader> {
    DataLoader::new(
        ProductLoader(store),
        shop_common::telemetry::spawn_in_current_span,
    )
}

impl Loader<String> for ProductLoader {
    type Value = Product;
    /// `DbErr` is not `Clone`; the loader hands one error to every waiting key.
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, Product>, Self::Error> {
        let products = self.0.get_many(ids).await.map_err(Arc::new)?;
        Ok(products
            .into_iter()
            .map(|product| (product.id.to_string(), product))
            .collect())
    }
}
