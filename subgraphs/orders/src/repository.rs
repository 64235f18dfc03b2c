//! Reading and writing orders. The GraphQL layer and the checkout saga go through
//! these functions; nothing else touches the order tables.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use serde_json::json;
use shop_events::event_types::ORDER_STATUS_CHANGED;
use shop_events::{Event, outbox};

use crate::entity::{order, order_item, status_change};
use crate::status::OrderStatus;

/// One line of an order to create. The unit price is the price the customer pays,
/// fixed at ordering time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrderItem {
    pub product_id: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
    pub currency: String,
}

/// An order with its items, in placement order, and its status changes, oldest
/// first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderModel {
    pub order: order::Model,
    pub items: Vec<order_item::Model>,
    pub history: Vec<status_change::Model>,
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("an order needs at least one item")]
    NoItems,
    #[error("quantity of {product_id} must be positive, got {quantity}")]
    InvalidQuantity { product_id: String, quantity: i32 },
    #[error("unit price of {product_id} must not be negative, got {unit_price_cents}")]
    NegativePrice {
        product_id: String,
        unit_price_cents: i64,
    },
    #[error("currency {0:?} is not a three-letter ISO 4217 code")]
    InvalidCurrency(String),
    #[error("an order is paid in one currency, got {first} and {other}")]
    MixedCurrencies { first: String, other: String },
    #[error("the order total does not fit a GraphQL Int of minor units")]
    TotalTooLarge,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Largest amount `Money.amountCents` (a GraphQL `Int`, 32 bits) can carry.
const MAX_TOTAL_CENTS: i64 = i32::MAX as i64;

/// Validates `items` and stores a `PENDING` order with them, total computed, in one
/// transaction.
pub async fn create_order(
    db: &DatabaseConnection,
    user_id: &str,
    items: &[NewOrderItem],
) -> Result<OrderModel, OrderError> {
    let txn = db.begin().await?;
    let order = create_order_in(&txn, user_id, items).await?;
    txn.commit().await?;
    Ok(order)
}

/// [`create_order`] inside the caller's transaction (the checkout writes its saga
/// and its `order.placed` event in the same one).
pub async fn create_order_in(
    txn: &impl ConnectionTrait,
    user_id: &str,
    items: &[NewOrderItem],
) -> Result<OrderModel, OrderError> {
    let (currency, total_cents) = validate(items)?;
    let now = Utc::now();
    let order = order::Model {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: user_id.to_owned(),
        status: OrderStatus::Pending,
        total_cents,
        currency,
        created_at: now,
        updated_at: now,
    };
    let items: Vec<order_item::Model> = items
        .iter()
        .zip(0..)
        .map(|(item, position)| order_item::Model {
            id: uuid::Uuid::now_v7().to_string(),
            order_id: order.id.clone(),
            position,
            product_id: item.product_id.clone(),
            quantity: item.quantity,
            unit_price_cents: item.unit_price_cents,
            currency: item.currency.clone(),
        })
        .collect();
    order::ActiveModel::from(order.clone()).insert(txn).await?;
    for item in &items {
        order_item::ActiveModel::from(item.clone())
            .insert(txn)
            .await?;
    }
    let first = record_change(txn, &order.id, OrderStatus::Pending, None).await?;
    Ok(OrderModel {
        order,
        items,
        history: vec![first],
    })
}

/// Moves `order_id` to `to` if its status is one of `from`, recording the change
/// (with `reason`) and its `order.status_changed` event; `false` when the order
/// was in another status (nothing changed). The conditional update makes
/// concurrent transitions safe: one wins. Call it inside a transaction, so that
/// the status, its history row and its event commit together.
pub async fn transition(
    db: &impl ConnectionTrait,
    order_id: &str,
    from: &[OrderStatus],
    to: OrderStatus,
    reason: Option<&str>,
) -> Result<bool, DbErr> {
    let now = Utc::now();
    let changed = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(to))
        .col_expr(order::Column::UpdatedAt, Expr::value(now))
        .filter(order::Column::Id.eq(order_id))
        .filter(order::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    if changed.rows_affected != 1 {
        return Ok(false);
    }
    record_change(db, order_id, to, reason).await?;
    Ok(true)
}

/// Appends a change to the order's status history, with the event that tells
/// live subscribers (`orderStatusChanged`) about it. Every status an order
/// enters passes here, so no change goes unannounced.
async fn record_change(
    db: &impl ConnectionTrait,
    order_id: &str,
    status: OrderStatus,
    reason: Option<&str>,
) -> Result<status_change::Model, DbErr> {
    let change = status_change::Model {
        id: uuid::Uuid::now_v7().to_string(),
        order_id: order_id.to_owned(),
        status,
        reason: reason.map(str::to_owned),
        at: Utc::now(),
    };
    status_change::ActiveModel::from(change.clone())
        .insert(db)
        .await?;
    outbox::record(db, &status_changed_event(&change)).await?;
    Ok(change)
}

/// `order.status_changed` for `change`.
fn status_changed_event(change: &status_change::Model) -> Event {
    Event::new(
        ORDER_STATUS_CHANGED,
        change.order_id.clone(),
        json!({
            "status": change.status.to_value(),
            "reason": change.reason,
            "changeId": change.id,
            "at": change.at,
        }),
    )
}

/// The order as it was right after `history[index]`: that status, that reason,
/// the history up to it. Items and total never change, so this is the order a
/// reader saw then.
pub fn as_of(order: &OrderModel, index: usize) -> Option<OrderModel> {
    let change = order.history.get(index)?;
    let mut then = order.clone();
    then.order.status = change.status;
    then.order.updated_at = change.at;
    then.history.truncate(index + 1);
    Some(then)
}

/// Checks every rule of an order and returns its currency and total.
fn validate(items: &[NewOrderItem]) -> Result<(String, i64), OrderError> {
    let first = items.first().ok_or(OrderError::NoItems)?;
    let currency = first.currency.clone();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(OrderError::InvalidCurrency(currency));
    }
    let mut total: i64 = 0;
    for item in items {
        if item.quantity <= 0 {
            return Err(OrderError::InvalidQuantity {
                product_id: item.product_id.clone(),
                quantity: item.quantity,
            });
        }
        if item.unit_price_cents < 0 {
            return Err(OrderError::NegativePrice {
                product_id: item.product_id.clone(),
                unit_price_cents: item.unit_price_cents,
            });
        }
        if item.currency != currency {
            return Err(OrderError::MixedCurrencies {
                first: currency,
                other: item.currency.clone(),
            });
        }
        total = item
            .unit_price_cents
            .checked_mul(i64::from(item.quantity))
            .and_then(|line| total.checked_add(line))
            .filter(|sum| *sum <= MAX_TOTAL_CENTS)
            .ok_or(OrderError::TotalTooLarge)?;
    }
    Ok((currency, total))
}

/// The order with `id`, whoever owns it: callers decide who may see it.
pub async fn find_order(db: &impl ConnectionTrait, id: &str) -> Result<Option<OrderModel>, DbErr> {
    Ok(find_orders(db, &[id.to_owned()]).await?.pop())
}

/// The orders among `ids` that exist (in no particular order), whoever owns them.
pub async fn find_orders(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<OrderModel>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let orders = order::Entity::find()
        .filter(order::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?;
    with_items(db, orders).await
}

/// All orders of `user_id`, newest first.
pub async fn orders_of_user(
    db: &DatabaseConnection,
    user_id: &str,
) -> Result<Vec<OrderModel>, DbErr> {
    let orders = order::Entity::find()
        .filter(order::Column::UserId.eq(user_id))
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .all(db)
        .await?;
    with_items(db, orders).await
}

/// Attaches items to `orders` with one query for all of them, keeping their order.
async fn with_items(
    db: &impl ConnectionTrait,
    orders: Vec<order::Model>,
) -> Result<Vec<OrderModel>, DbErr> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
    let mut history: HashMap<String, Vec<status_change::Model>> = HashMap::new();
    for change in status_change::Entity::find()
        .filter(status_change::Column::OrderId.is_in(ids.clone()))
        .order_by_asc(status_change::Column::Id)
        .all(db)
        .await?
    {
        history
            .entry(change.order_id.clone())
            .or_default()
            .push(change);
    }
    let mut by_order: HashMap<String, Vec<order_item::Model>> = HashMap::new();
    for item in order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(ids))
        .order_by_asc(order_item::Column::OrderId)
        .order_by_asc(order_item::Column::Position)
        .all(db)
        .await?
    {
        by_order
            .entry(item.order_id.clone())
            .or_default()
            .push(item);
    }
    Ok(orders
        .into_iter()
        .map(|order| OrderModel {
            items: by_order.remove(&order.id).unwrap_or_default(),
            history: history.remove(&order.id).unwrap_or_default(),
            order,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(product_id: &str, quantity: i32, cents: i64, currency: &str) -> NewOrderItem {
        NewOrderItem {
            product_id: product_id.into(),
            quantity,
            unit_price_cents: cents,
            currency: currency.into(),
        }
    }

    #[test]
    fn totals_and_rules() {
        assert_eq!(
            validate(&[item("a", 2, 150, "EUR"), item("b", 1, 99, "EUR")]).unwrap(),
            ("EUR".to_owned(), 399)
        );
        assert!(matches!(validate(&[]), Err(OrderError::NoItems)));
        assert!(matches!(
            validate(&[item("a", 0, 150, "EUR")]),
            Err(OrderError::InvalidQuantity { .. })
        ));
        assert!(matches!(
            validate(&[item("a", 1, 150, "EUR"), item("b", 1, 1, "USD")]),
            Err(OrderError::MixedCurrencies { .. })
        ));
        assert!(matches!(
            validate(&[item("a", 1, -1, "EUR")]),
            Err(OrderError::NegativePrice { .. })
        ));
        assert!(matches!(
            validate(&[item("a", 1, 1, "eur")]),
            Err(OrderError::InvalidCurrency(_))
        ));
        assert!(matches!(
            validate(&[item("a", i32::MAX, i64::MAX, "EUR")]),
            Err(OrderError::TotalTooLarge)
        ));
    }
}
