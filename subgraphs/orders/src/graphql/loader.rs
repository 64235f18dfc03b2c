//! Batches order lookups: the router resolves many `Order` references in one
//! `_entities` request, and async-graphql resolves each representation on its own;
//! the loader turns those into one query for the orders and one for their items.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::repository::{self, OrderModel};

pub struct OrderLoader(DatabaseConnection);

/// A loader without a cache (it lives as long as the schema, and orders change
/// status), spawning its batches on the tokio runtime.
pub fn order_loader(db: DatabaseConnection) -> DataLoader<OrderLoader> {
    DataLoader::new(
        OrderLoader(db),
        shop_common::telemetry::spawn_in_current_span,
    )
}

impl Loader<String> for OrderLoader {
    type Value = OrderModel;
    /// `DbErr` is not `Clone`; the loader hands one error to every waiting key.
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, OrderModel>, Self::Error> {
        let orders = repository::find_orders(&self.0, ids)
            .await
            .map_err(Arc::new)?;
        Ok(orders
            .into_iter()
            .map(|order| (order.order.id.clone(), order))
            .collect())
    }
}
