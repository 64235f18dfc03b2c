//! Stock levels: reading them and putting units back on the shelf.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use serde_json::json;
use shop_events::event_types::STOCK_RESTOCKED;
use shop_events::{Event, outbox};

use crate::clock::now_millis;
use crate::entity::stock::{self, Column, Entity};
use crate::error::InventoryError;

/// Most units one `restock` call may add: a guard against typos, not a policy.
pub const MAX_RESTOCK: i32 = 1_000_000;

/// Units available per product id; products without a stock row are absent.
/// One statement however many ids (the entity loader relies on it).
pub async fn available_of(
    db: &DatabaseConnection,
    product_ids: &[String],
) -> Result<HashMap<String, i64>, InventoryError> {
    if product_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = Entity::find()
        .select_only()
        .columns([Column::ProductId, Column::Available])
        .filter(Column::ProductId.is_in(product_ids.iter().map(String::as_str)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
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
    // One upsert, so two restocks of a new product cannot both try to create the
    // row: `ON CONFLICT (product_id) DO UPDATE SET available = stock.available +
    // excluded.available`. The row comes back from that statement (`RETURNING`; sea-orm
    // reads it by key in this transaction where a backend lacks it), so `available`
    // is this restock's result.
    let row = Entity::insert(stock::ActiveModel {
        product_id: Set(product_id.to_owned()),
        available: Set(i64::from(quantity)),
        sold: Set(0),
        updated_at: Set(now_millis()),
    })
    .on_conflict(
        OnConflict::column(Column::ProductId)
            .value(
                Column::Available,
                Expr::col((Entity, Column::Available))
                    .add(Expr::col((Alias::new("excluded"), Column::Available))),
            )
            .update_column(Column::UpdatedAt)
            .to_owned(),
    )
    .exec_with_returning(&txn)
    .await?;
    outbox::record(
        &txn,
        &Event::new(
            STOCK_RESTOCKED,
            product_id,
            json!({ "productId": product_id, "quantity": quantity, "available": row.available }),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.available)
}
