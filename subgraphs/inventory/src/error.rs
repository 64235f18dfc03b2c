//! What can go wrong with stock and reservations, and how each maps to a
//! GraphQL error code.

use shop_common::coded_error;
use shop_common::errors::internal_error;

#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{0}")]
    BadInput(String),
    #[error("out of stock: product {product_id} has fewer than {requested} units available")]
    OutOfStock { product_id: String, requested: i64 },
    #[error("no reservation with id {0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl InventoryError {
    /// The GraphQL error clients see: a code in `extensions.code` (and the
    /// product in `extensions.productId` for `OUT_OF_STOCK`); storage failures
    /// are logged and reported without internals.
    pub fn into_graphql(self) -> async_graphql::Error {
        self.to_graphql()
    }

    /// As [`InventoryError::into_graphql`], for an error shared between callers.
    pub fn to_graphql(&self) -> async_graphql::Error {
        let err = self;
        match err {
            InventoryError::BadInput(_) => coded_error("BAD_USER_INPUT", err.to_string()),
            InventoryError::OutOfStock { product_id, .. } => {
                use async_graphql::ErrorExtensions;
                let product_id = product_id.clone();
                coded_error("OUT_OF_STOCK", err.to_string())
                    .extend_with(|_, ext| ext.set("productId", product_id))
            }
            InventoryError::NotFound(_) => coded_error("NOT_FOUND", err.to_string()),
            InventoryError::Conflict(_) => coded_error("CONFLICT", err.to_string()),
            InventoryError::Database(db) => internal_error("inventory storage", db),
        }
    }
}
