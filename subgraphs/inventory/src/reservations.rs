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

use std::collections::BTreeMap;
use std::time::Duration;

use async_graphql::ID;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult, SqlErr, TransactionTrait};

use serde_json::json;
use shop_events::event_types::{STOCK_RELEASED, STOCK_RESERVED};
use shop_events::{Event, outbox};

use crate::clock::{from_millis, now_millis};
use crate::error::InventoryError;
use crate::model::{Reservation, ReservationItem, ReservationItemInput, ReservationStatus};
use shop_common::db::statement;

/// Most distinct products one reservation may hold.
pub const MAX_ITEMS: usize = 100;
/// Expired reservations handled per sweep; the next sweep takes the rest.
const SWEEP_BATCH: i64 = 500;

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

        let backend = self.db.get_database_backend();
        let now = now_millis();
        let ttl_millis = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        let expires_at = now.saturating_add(ttl_millis);
        let id = uuid::Uuid::now_v7().to_string();

        let txn = self.db.begin().await?;
        // The first statement writes (see the module docs).
        let inserted = txn
            .execute_raw(statement(
                backend,
                "INSERT INTO reservations (id, order_id, status, expires_at, created_at, updated_at) \
                 VALUES (?, ?, 'ACTIVE', ?, ?, ?)",
                [
                    id.as_str().into(),
                    order_id.into(),
                    expires_at.into(),
                    now.into(),
                    now.into(),
                ],
            ))
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
            let taken = txn
                .execute_raw(statement(
                    backend,
                    "UPDATE stock SET available = available - ?, updated_at = ? \
                     WHERE product_id = ? AND available >= ?",
                    [
                        (*quantity).into(),
                        now.into(),
                        product_id.as_str().into(),
                        (*quantity).into(),
                    ],
                ))
                .await?;
            if taken.rows_affected() != 1 {
                txn.rollback().await?;
                return Err(InventoryError::OutOfStock {
                    product_id: product_id.clone(),
                    requested: *quantity,
                });
            }
            txn.execute_raw(statement(
                backend,
                "INSERT INTO reservation_items (reservation_id, product_id, quantity) VALUES (?, ?, ?)",
                [
                    id.as_str().into(),
                    product_id.as_str().into(),
                    (*quantity).into(),
                ],
            ))
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
                "",
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
                " AND expires_at > ?",
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
            self.require(reservation_id).await?.status.as_str()
        )))
    }

    /// Returns the stock of every `ACTIVE` reservation whose time is up; how many
    /// expired. Called on a timer and before every reservation.
    pub async fn expire_due(&self) -> Result<usize, InventoryError> {
        let now = now_millis();
        let rows = self
            .db
            .query_all_raw(statement(
                self.db.get_database_backend(),
                "SELECT id FROM reservations WHERE status = 'ACTIVE' AND expires_at <= ? \
                 ORDER BY expires_at LIMIT ?",
                [now.into(), SWEEP_BATCH.into()],
            ))
            .await?;
        let mut expired = 0;
        for row in rows {
            let id: String = row.try_get("", "id")?;
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
            " AND expires_at <= ?",
            now,
            StockEffect::ReturnToShelf,
        )
        .await
    }

    /// Moves an `ACTIVE` reservation to `status` (when `extra_condition`, bound to
    /// `now`, holds) and applies `effect` to its items, in one transaction whose
    /// first statement is that conditional update. `false` when the reservation
    /// was not `ACTIVE` (or the condition failed): nothing changed then.
    async fn finish(
        &self,
        reservation_id: &str,
        status: ReservationStatus,
        extra_condition: &str,
        now: i64,
        effect: StockEffect,
    ) -> Result<bool, InventoryError> {
        let backend = self.db.get_database_backend();
        let mut values = vec![status.as_str().into(), now.into(), reservation_id.into()];
        if !extra_condition.is_empty() {
            values.push(now.into());
        }
        let txn = self.db.begin().await?;
        let changed = txn
            .execute_raw(statement(
                backend,
                &format!(
                    "UPDATE reservations SET status = ?, updated_at = ? \
                     WHERE id = ? AND status = 'ACTIVE'{extra_condition}"
                ),
                values,
            ))
            .await?;
        if changed.rows_affected() != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        let sql = match effect {
            StockEffect::ReturnToShelf => {
                "UPDATE stock SET available = available + ?, updated_at = ? WHERE product_id = ?"
            }
            StockEffect::Sell => {
                "UPDATE stock SET sold = sold + ?, updated_at = ? WHERE product_id = ?"
            }
        };
        let items = items_of(&txn, reservation_id).await?;
        for item in &items {
            txn.execute_raw(statement(
                backend,
                sql,
                [
                    i64::from(item.quantity).into(),
                    now.into(),
                    item.product_id.as_str().into(),
                ],
            ))
            .await?;
        }
        if matches!(effect, StockEffect::ReturnToShelf) {
            let order_id = order_of(&txn, reservation_id).await?;
            outbox::record(
                &txn,
                &released_event(reservation_id, &order_id, &items, status.as_str()),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    pub async fn get(&self, reservation_id: &str) -> Result<Option<Reservation>, InventoryError> {
        self.find("id", reservation_id).await
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
        self.find("order_id", order_id).await
    }

    /// `column` is one of our own column names, never user input.
    async fn find(&self, column: &str, value: &str) -> Result<Option<Reservation>, InventoryError> {
        let row = self
            .db
            .query_one_raw(statement(
                self.db.get_database_backend(),
                &format!(
                    "SELECT id, order_id, status, expires_at, created_at FROM reservations \
                     WHERE {column} = ?"
                ),
                [value.into()],
            ))
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: String = row.try_get("", "id")?;
        let items = items_of(&self.db, &id).await?;
        Ok(Some(reservation_from_row(&row, items)?))
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
    let row = db
        .query_one_raw(statement(
            db.get_database_backend(),
            "SELECT order_id FROM reservations WHERE id = ?",
            [reservation_id.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("reservation {reservation_id}")))?;
    row.try_get("", "order_id")
}

pub(crate) async fn items_of(
    db: &impl ConnectionTrait,
    reservation_id: &str,
) -> Result<Vec<ReservationItem>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT product_id, quantity FROM reservation_items WHERE reservation_id = ? \
             ORDER BY product_id",
            [reservation_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let quantity: i64 = row.try_get("", "quantity")?;
            Ok(ReservationItem {
                product_id: ID(row.try_get("", "product_id")?),
                quantity: i32::try_from(quantity).unwrap_or(i32::MAX),
            })
        })
        .collect()
}

fn reservation_from_row(
    row: &QueryResult,
    items: Vec<ReservationItem>,
) -> Result<Reservation, DbErr> {
    let status: String = row.try_get("", "status")?;
    Ok(Reservation {
        id: ID(row.try_get("", "id")?),
        order_id: ID(row.try_get("", "order_id")?),
        status: ReservationStatus::parse(&status)
            .ok_or_else(|| DbErr::Custom(format!("unknown reservation status {status}")))?,
        items,
        expires_at: from_millis(row.try_get("", "expires_at")?),
        created_at: from_millis(row.try_get("", "created_at")?),
    })
}
