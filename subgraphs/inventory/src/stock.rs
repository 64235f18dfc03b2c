//! Stock levels: reading them and putting units back on the shelf.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait, Value};
use serde_json::json;
use shop_events::event_types::STOCK_RESTOCKED;
use shop_events::{Event, outbox};

use crate::clock::now_millis;
use crate::error::InventoryError;
use shop_common::db::statement;

/// Most units one `restock` call may add: a guard against typos, not a policy.
pub const MAX_RESTOCK: i32 = 1_000_000;

/// Units available per product id; products without a stock row are absent.
pub async fn available_of(
    db: &DatabaseConnection,
    product_ids: &[String],
) -> Result<HashMap<String, i64>, InventoryError> {
    if product_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders = vec!["?"; product_ids.len()].join(", ");
    let values: Vec<Value> = product_ids.iter().map(|id| id.as_str().into()).collect();
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            &format!(
                "SELECT product_id, available FROM stock WHERE product_id IN ({placeholders})"
            ),
            values,
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get::<String>("", "product_id")?,
                row.try_get::<i64>("", "available")?,
            ))
        })
        .collect()
}

/// The units available of one product; 0 for one inventory never stocked.
pub async fn available(db: &DatabaseConnection, product_id: &str) -> Result<i64, InventoryError> {
    Ok(available_of(db, &[product_id.to_owned()])
        .await?
        .remove(product_id)
        .unwrap_or(0))
}

/// Adds `quantity` units of `product_id` (creating its stock row if inventory
/// never held it) and returns the new available count. The `stock.restocked`
/// event commits with it.
pub async fn restock(
    db: &DatabaseConnection,
    product_id: &str,
    quantity: i32,
) -> Result<i64, InventoryError> {
    if quantity <= 0 || quantity > MAX_RESTOCK {
        return Err(InventoryError::BadInput(format!(
            "quantity must be between 1 and {MAX_RESTOCK}, got {quantity}"
        )));
    }
    if product_id.trim().is_empty() {
        return Err(InventoryError::BadInput(
            "productId must not be empty".into(),
        ));
    }
    let txn = db.begin().await?;
    let row = txn
        .query_one_raw(statement(
            db.get_database_backend(),
            "INSERT INTO stock (product_id, available, sold, updated_at) VALUES (?, ?, 0, ?) \
             ON CONFLICT (product_id) DO UPDATE \
             SET available = stock.available + excluded.available, updated_at = excluded.updated_at \
             RETURNING available",
            [product_id.into(), i64::from(quantity).into(), now_millis().into()],
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("restocked row".into()))?;
    let available = row.try_get::<i64>("", "available")?;
    outbox::record(
        &txn,
        &Event::new(
            STOCK_RESTOCKED,
            product_id,
            json!({ "productId": product_id, "quantity": quantity, "available": available }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(available)
}
