//! Demo stock for the seeded catalog (`prod-01` … `prod-36`).
//!
//! The ids follow the products service's fixed pattern; this crate does not
//! depend on the products crate at runtime (a test checks that the two agree).

use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, TransactionTrait,
};

use crate::clock::now_millis;
use crate::entity::stock;

/// How many products the shared seed catalog has.
pub const SEED_PRODUCT_COUNT: usize = 36;

/// Units on the shelf per seeded product, in id order. Some are zero, so that
/// `inStock: false` shows up in the demo.
const SEED_STOCK: [i64; SEED_PRODUCT_COUNT] = [
    25, 40, 12, 0, 18, 7, // books
    30, 15, 9, 22, 0, 5, // kitchen
    6, 14, 35, 3, 0, 28, // outdoor
    11, 8, 50, 4, 0, 19, // electronics
    10, 13, 60, 24, 7, 0, // toys
    5, 33, 80, 17, 2, 45, // garden
];

/// `prod-01` … `prod-36`: the ids the products service seeds.
pub fn seed_product_ids() -> impl Iterator<Item = String> {
    (1..=SEED_PRODUCT_COUNT).map(|n| format!("prod-{n:02}"))
}

/// Inserts the demo stock when the `stock` table is empty; how many rows.
pub async fn seed_if_empty(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let txn = db.begin().await?;
    if stock::Entity::find().count(&txn).await? > 0 {
        txn.rollback().await?;
        return Ok(0);
    }
    let now = now_millis();
    let rows = seed_product_ids()
        .zip(SEED_STOCK)
        .map(|(product_id, available)| stock::ActiveModel {
            product_id: Set(product_id),
            available: Set(available),
            sold: Set(0),
            updated_at: Set(now),
        });
    // One statement for all rows.
    stock::Entity::insert_many(rows)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(SEED_PRODUCT_COUNT)
}
