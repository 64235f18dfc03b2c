//! Loading the demo catalog into an empty database.

use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, Set, TransactionTrait};

use crate::entity::{ActiveModel, Entity};
use crate::seed_data::{SEED_CURRENCY, SEED_PRODUCTS};

/// Inserts the seed catalog when `products` is empty; returns how many rows were
/// added. A database that already holds products is left alone, so restarting
/// with `--seed` never duplicates or overwrites anything.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let txn = db.begin().await?;
    let existing = Entity::find().count(&txn).await?;
    if existing > 0 {
        txn.rollback().await?;
        return Ok(0);
    }
    let now = chrono::Utc::now().timestamp_millis();
    let rows = SEED_PRODUCTS.iter().map(|product| ActiveModel {
        id: Set(product.id.to_owned()),
        sku: Set(product.sku.to_owned()),
        name: Set(product.name.to_owned()),
        description: Set(product.description.to_owned()),
        price_cents: Set(product.price_cents),
        currency: Set(SEED_CURRENCY.to_owned()),
        weight_grams: Set(product.weight_grams),
        category: Set(product.category.to_owned()),
        created_at: Set(now),
    });
    Entity::insert_many(rows).exec(&txn).await?;
    txn.commit().await?;
    Ok(SEED_PRODUCTS.len())
}
