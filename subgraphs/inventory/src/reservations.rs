//! Reserving stock for an order, all items or none, and what happens to the
//! reservation afterwards (commit, release, expiry).
//!
//! Overselling is prevented by the database, not by locks in this process: each
//! item is taken with a conditional `UPDATE … SET available = available - q
//! WHERE available >= q` inside one transaction, and the transaction is rolled
//! back as soon as one item finds too little. On PostgreSQL the update takes the
//! row lock and re-checks the condition on the latest row version; on SQLite the
//! transaction's first statement is a write, so it takes the write lock at once
//! (a read first would risk the reader-to-writer upgrade failing under load).
//! Every state change is itself a conditional update on `status = 'ACTIVE'`, so
//! two callers racing (release vs. expiry, commit vs. release) cannot both win.
//!
//! All of it goes through sea-orm's query builder on the entities in
//! [`crate::entity`]; each guard above is a `filter` on an `update_many`, and
//! its `rows_affected` says whether this caller won.

use std::collections::BTreeMap;
use std::time::Duration;

use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use serde_json::json;
use shop_events::event_types::{STOCK_RELEASED, STOCK_RESERVED};
use shop_events::{Event, outbox};

use crate::clock::{from_millis, now_millis};
use crate::entity::{reservation, reservation_item, stock};
use crate::error::InventoryError;
use crate::model::{Reservation, ReservationItem, ReservationItemInput, ReservationStatus};

/// Most distinct products one reservation may hold.
pub const MAX_ITEMS: usize = 100;
/// Expired reservations handled per sweep; the next sweep takes the rest.
const SWEEP_BATCH: u64 = 500;

/// Reservation operations over one database.
#[derive(Clone)]
pub struct Reservations {
    db: DatabaseConnection,
    ttl: Duration,
}

impl Reservations {
    pub fn new(db: DatabaseConnection, ttl: Duration) -> Self {
        Self { db, ttl }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Holds the items for `order_id` until the TTL passes. Idempotent per order:
    /// a second call with the same items returns the first reservation; the same
    /// order with other items is a conflict (the first call's items stay held).
    pub async fn reserve(
        &self,
        order_id: &str,
        items: Vec<ReservationItemInput>,
    ) -> Result<Reservation, InventoryError> {
        if order_id.trim().is_empty() {
            return Err(InventoryError::BadInput("orderId must not be empty".into()));
        }
        let wanted = merge_items(items)?;
        // Stock held by reservations nobody committed in time goes back first, so
        // that it can be reserved again right away.
        self.expire_due().await?;
        if let Some(existing) = self.find_by_order(order_id).await? {
            return same_items(existing, &wanted);
        }

        let now = now_millis();
        let ttl_millis = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        let expires_at = now.saturating_add(ttl_millis);
        let id = uuid::Uuid::now_v7().to_string();

        let txn = self.db.begin().await?;
        // The first statement writes (see the module docs).
        let inserted = reservation::Entity::insert(reservation::ActiveModel {
            id: Set(id.clone()),
            order_id: Set(order_id.to_owned()),
            status: Set(ReservationStatus::Active),
            expires_at: Set(expires_at),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await;
        if let Err(err) = inserted {
            txn.rollback().await?;
            // Another call for the same order won the race: return its reservation.
            if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
                && let Some(existing) = self.find_by_order(order_id).await?
            {
                return same_items(existing, &wanted);
            }
            return Err(err.into());
        }
        // Items in id order: concurrent reservations lock rows in the same order,
        // so on PostgreSQL they queue instead of deadlocking.
        for (product_id, quantity) in &wanted {
            // `UPDATE stock SET available = available - q WHERE product_id = ? AND
            // available >= q`: no row changes when too few units are left.
            let taken = stock::Entity::update_many()
                .col_expr(
                    stock::Column::Available,
                    Expr::col(stock::Column::Available).sub(*quantity),
                )
                .col_expr(stock::Column::UpdatedAt, Expr::value(now))
                .filter(stock::Column::ProductId.eq(product_id.as_str()))
                .filter(stock::Column::Available.gte(*quantity))
                .exec(&txn)
                .await?;
            if taken.rows_affected != 1 {
                txn.rollback().await?;
                return Err(InventoryError::OutOfStock {
                    product_id: product_id.clone(),
                    requested: *quantity,
                });
            }
            reservation_item::Entity::insert(reservation_item::ActiveModel {
                reservation_id: Set(id.clone()),
                product_id: Set(product_id.clone()),
                quantity: Set(*quantity),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        let items: Vec<serde_json::Value> = wanted
            .iter()
            .map(|(product_id, quantity)| json!({ "productId": product_id, "quantity": quantity }))
            .collect();
        outbox::record(
            &txn,
            &Event::new(
                STOCK_RESERVED,
                id.clone(),
                json!({ "orderId": order_id, "items": items }),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(Reservation {
            id: id.into(),
            order_id: order_id.into(),
            status: ReservationStatus::Active,
            items: wanted
                .into_iter()
                .map(|(product_id, quantity)| ReservationItem {
                    product_id: product_id.into(),
                    quantity: i32::try_from(quantity).unwrap_or(i32::MAX),
                })
                .collect(),
            expires_at: from_millis(expires_at),
            created_at: from_millis(now),
        })
    }

    /// Puts the units back. Releasing a released or expired reservation changes
    /// nothing and returns it; a committed one cannot be released.
    pub async fn release(&self, reservation_id: &str) -> Result<Reservation, InventoryError> {
        let now = now_millis();
        let released = self
            .finish(
                reservation_id,
                ReservationStatus::Released,
                Condition::all(),
                now,
                StockEffect::ReturnToShelf,
            )
            .await?;
        if !released {
            let current = self.require(reservation_id).await?;
            if current.status == ReservationStatus::Committed {
                return Err(InventoryError::Conflict(format!(
                    "reservation {reservation_id} is committed: its units are sold"
                )));
            }
        }
        self.require(reservation_id).await
    }

    /// Marks the units sold; from then on the reservation cannot expire.
    /// Committing twice returns the committed reservation.
    pub async fn commit(&self, reservation_id: &str) -> Result<Reservation, InventoryError> {
        let now = now_millis();
        let committed = self
            .finish(
                reservation_id,
                ReservationStatus::Committed,
                reservation::Column::ExpiresAt.gt(now).into_condition(),
                now,
                StockEffect::Sell,
            )
            .await?;
        let current = self.require(reservation_id).await?;
        if committed || current.status == ReservationStatus::Committed {
            return Ok(current);
        }
        if current.status == ReservationStatus::Active {
            // Past its expiry but not yet swept: expire it now, then refuse.
            self.expire(reservation_id, now).await?;
        }
        Err(InventoryError::Conflict(format!(
            "reservation {reservation_id} can no longer be committed: it is {}",
            self.require(reservation_id).await?.status.to_value()
        )))
    }

    /// Returns the stock of every `ACTIVE` reservation whose time is up; how many
    /// expired. Called on a timer and before every reservation.
    pub async fn expire_due(&self) -> Result<usize, InventoryError> {
        let now = now_millis();
        let due: Vec<String> = reservation::Entity::find()
            .select_only()
            .column(reservation::Column::Id)
            .filter(reservation::Column::Status.eq(ReservationStatus::Active))
            .filter(reservation::Column::ExpiresAt.lte(now))
            .order_by_asc(reservation::Column::ExpiresAt)
            .limit(SWEEP_BATCH)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut expired = 0;
        for id in due {
            if self.expire(&id, now).await? {
                expired += 1;
            }
        }
        Ok(expired)
    }

    async fn expire(&self, reservation_id: &str, now: i64) -> Result<bool, InventoryError> {
        self.finish(
            reservation_id,
            ReservationStatus::Expired,
            reservation::Column::ExpiresAt.lte(now).into_condition(),
            now,
            StockEffect::ReturnToShelf,
        )
        .await
    }

    /// Moves an `ACTIVE` reservation to `status` (when `deadline`, a condition on
    /// `expires_at`, holds too) and applies `effect` to its items, in one
    /// transaction whose first statement is that conditional update. `false` when
    /// the reservation was not `ACTIVE` (or the deadline failed): nothing changed then.
    async fn finish(
        &self,
        reservation_id: &str,
        status: ReservationStatus,
        deadline: Condition,
        now: i64,
        effect: StockEffect,
    ) -> Result<bool, InventoryError> {
        let txn = self.db.begin().await?;
        let changed = reservation::Entity::update_many()
            .col_expr(reservation::Column::Status, Expr::value(status))
            .col_expr(reservation::Column::UpdatedAt, Expr::value(now))
            .filter(reservation::Column::Id.eq(reservation_id))
            .filter(reservation::Column::Status.eq(ReservationStatus::Active))
            .filter(deadline)
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        let counter = match effect {
            StockEffect::ReturnToShelf => stock::Column::Available,
            StockEffect::Sell => stock::Column::Sold,
        };
        let items = items_of(&txn, reservation_id).await?;
        for item in &items {
            stock::Entity::update_many()
                .col_expr(counter, Expr::col(counter).add(i64::from(item.quantity)))
                .col_expr(stock::Column::UpdatedAt, Expr::value(now))
                .filter(stock::Column::ProductId.eq(item.product_id.as_str()))
                .exec(&txn)
                .await?;
        }
        if matches!(effect, StockEffect::ReturnToShelf) {
            let order_id = order_of(&txn, reservation_id).await?;
            outbox::record(
                &txn,
                &released_event(reservation_id, &order_id, &items, &status.to_value()),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    pub async fn get(&self, reservation_id: &str) -> Result<Option<Reservation>, InventoryError> {
        self.find(reservation::Column::Id.eq(reservation_id)).await
    }

    async fn require(&self, reservation_id: &str) -> Result<Reservation, InventoryError> {
        self.get(reservation_id)
            .await?
            .ok_or_else(|| InventoryError::NotFound(reservation_id.to_owned()))
    }

    pub(crate) async fn find_by_order(
        &self,
        order_id: &str,
    ) -> Result<Option<Reservation>, InventoryError> {
        self.find(reservation::Column::OrderId.eq(order_id)).await
    }

    /// The reservation `key` (a condition on a unique column) finds, with its items.
    async fn find(&self, key: impl IntoCondition) -> Result<Option<Reservation>, InventoryError> {
        let Some(row) = reservation::Entity::find()
            .filter(key)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let items = items_of(&self.db, &row.id).await?;
        Ok(Some(shown(row, items)))
    }
}

/// What finishing a reservation does to the stock it held.
#[derive(Clone, Copy)]
enum StockEffect {
    /// Released or expired: the units become available again.
    ReturnToShelf,
    /// Committed: the units leave for good and are counted as sold.
    Sell,
}

/// The reservation an order already has answers a retry only if the retry asks for
/// the same units: an order id reused for other items must not pass silently.
fn same_items(
    existing: Reservation,
    wanted: &BTreeMap<String, i64>,
) -> Result<Reservation, InventoryError> {
    let held: BTreeMap<String, i64> = existing
        .items
        .iter()
        .map(|item| (item.product_id.to_string(), i64::from(item.quantity)))
        .collect();
    if &held == wanted {
        Ok(existing)
    } else {
        Err(InventoryError::Conflict(format!(
            "order {} already has a reservation for other items",
            existing.order_id.as_str()
        )))
    }
}

/// Validates the items and merges lines for the same product, in id order.
fn merge_items(items: Vec<ReservationItemInput>) -> Result<BTreeMap<String, i64>, InventoryError> {
    if items.is_empty() {
        return Err(InventoryError::BadInput(
            "a reservation needs at least one item".into(),
        ));
    }
    let mut merged: BTreeMap<String, i64> = BTreeMap::new();
    for item in items {
        if item.quantity <= 0 {
            return Err(InventoryError::BadInput(format!(
                "quantity must be positive, got {} for product {}",
                item.quantity,
                item.product_id.as_str()
            )));
        }
        if item.product_id.trim().is_empty() {
            return Err(InventoryError::BadInput(
                "productId must not be empty".into(),
            ));
        }
        *merged.entry(item.product_id.to_string()).or_default() += i64::from(item.quantity);
    }
    if merged.len() > MAX_ITEMS {
        return Err(InventoryError::BadInput(format!(
            "a reservation holds at most {MAX_ITEMS} distinct products"
        )));
    }
    if let Some((product_id, quantity)) = merged.iter().find(|(_, q)| **q > i64::from(i32::MAX)) {
        return Err(InventoryError::BadInput(format!(
            "quantity {quantity} for product {product_id} is too large"
        )));
    }
    Ok(merged)
}

/// `stock.released`: units of `reservation_id` went back on the shelf, because the
/// reservation was `why` (`RELEASED`, `EXPIRED`, or `RETURNED` for sold units of a
/// cancelled order).
pub(crate) fn released_event(
    reservation_id: &str,
    order_id: &str,
    items: &[ReservationItem],
    why: &str,
) -> Event {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|i| json!({ "productId": i.product_id.as_str(), "quantity": i.quantity }))
        .collect();
    Event::new(
        STOCK_RELEASED,
        reservation_id,
        json!({ "orderId": order_id, "items": items, "reason": why }),
    )
}

async fn order_of(db: &impl ConnectionTrait, reservation_id: &str) -> Result<String, DbErr> {
    reservation::Entity::find_by_id(reservation_id)
        .select_only()
        .column(reservation::Column::OrderId)
        .into_tuple()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("reservation {reservation_id}")))
}

/// The items of a reservation, in product-id order (the order they were taken in).
pub(crate) async fn items_of(
    db: &impl ConnectionTrait,
    reservation_id: &str,
) -> Result<Vec<ReservationItem>, DbErr> {
    Ok(reservation_item::Entity::find()
        .filter(reservation_item::Column::ReservationId.eq(reservation_id))
        .order_by_asc(reservation_item::Column::ProductId)
        .all(db)
        .await?
        .into_iter()
        .map(ReservationItem::from)
        .collect())
}

/// A stored reservation as the schema shows it.
fn shown(row: reservation::Model, items: Vec<ReservationItem>) -> Reservation {
    Reservation {
        id: row.id.into(),
        order_id: row.order_id.into(),
        status: row.status,
        items,
        expires_at: from_millis(row.expires_at),
        created_at: from_millis(row.created_at),
    }
}
