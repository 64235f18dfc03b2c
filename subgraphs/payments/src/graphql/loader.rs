//! Batches the lookups the router makes in bulk: many `Payment` or `Order`
//! representations arrive in one `_entities` request and async-graphql resolves
//! each on its own; these loaders turn them into one query per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;

use crate::entity::payment;
use crate::ledger;

/// Payments by id.
pub struct PaymentLoader(DatabaseConnection);

/// The payment that stands for an order, by order id (see [`ledger::payment_of_order`]).
pub struct OrderPaymentLoader(DatabaseConnection);

/// Loaders without a cache (they live as long as the schema, and payments change
/// status), spawning their batches on the tokio runtime.
pub fn payment_loader(db: DatabaseConnection) -> DataLoader<PaymentLoader> {
    DataLoader::new(
        PaymentLoader(db),
        shop_common::telemetry::spawn_in_current_span,
    )
}

pub fn order_payment_loader(db: DatabaseConnection) -> DataLoader<OrderPaymentLoader> {
    DataLoader::new(
        OrderPaymentLoader(db),
        shop_common::telemetry::spawn_in_current_span,
    )
}

impl Loader<String> for PaymentLoader {
    type Value = payment::Model;
    /// `DbErr` is not `Clone`; the loader hands one error to every waiting key.
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, payment::Model>, Self::Error> {
        let payments = ledger::find_payments(&self.0, ids)
            .await
            .map_err(Arc::new)?;
        Ok(payments.into_iter().map(|p| (p.id.clone(), p)).collect())
    }
}

impl Loader<String> for OrderPaymentLoader {
    type Value = payment::Model;
    type Error = Arc<sea_orm::DbErr>;

    async fn load(
        &self,
        order_ids: &[String],
    ) -> Result<HashMap<String, payment::Model>, Self::Error> {
        ledger::payments_of_orders(&self.0, order_ids)
            .await
            .map_err(Arc::new)
    }
}
