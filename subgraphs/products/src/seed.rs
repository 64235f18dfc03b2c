//! Loading the demo catalog into an empty database.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};

use crate::seed_data::{SEED_CURRENCY, SEED_PRODUCTS};
use shop_common::db::{count_rows, statement};

/// Inserts the seed catalog when `products` is empty; returns how many rows were
/// added. A database that already holds products is left alone, so restarting
/// with `--seed` never duplicates or overwrites anything.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let existing = count_rows(&txn, "products").await?;
    if existing > 0 {
        txn.rollback().await?;
        return Ok(0);
    }
    let now = chrono::Utc::now().timestamp_millis();
    for product in SEED_PRODUCTS {
        txn.execute_raw(statement(
            backend,
            "INSERT INTO products (id, sku, name, description, price_cents, currency, \
             weight_grams, category, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                product.id.into(),
                product.sku.into(),
                product.name.into(),
                product.description.into(),
                product.price_cents.into(),
                SEED_CURRENCY.into(),
                product.weight_grams.into(),
                product.category.into(),
                now.into(),
            ],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(SEED_PRODUCTS.len())
}
