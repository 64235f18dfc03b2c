//! The checkout saga, orchestrated here and persisted in `checkout_sagas` so that it
//! survives a crash.
//!
//! Steps (each recorded before the next starts): `PLACED` (order stored with the
//! prices read from products) → `RESERVED` (inventory holds the stock) → `PAID`
//! (payments charged the card) → `DONE`. Compensations: out of stock → `REJECTED`,
//! nothing held or charged; declined → the reservation is released, `PAYMENT_FAILED`;
//! the reservation expired before it could be committed → `CANCELLED`, and the
//! `order.cancelled` event makes payments refund.
//!
//! Every call carries an idempotency key derived from the order id (inventory: the
//! order id; payments: `order-<id>`), so any step can be repeated. The card exists
//! only in the request that brought it: a saga resumed after a crash cannot charge,
//! so it asks payments whether the charge happened and finishes (charged) or
//! compensates (not charged). A charge still in flight when the process died is
//! refunded by payments when it sees `order.payment_failed`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
    SqlErr, TransactionTrait,
};
use serde_json::json;
use shop_events::event_types::{
    ORDER_CANCELLED, ORDER_CONFIRMED, ORDER_PAYMENT_FAILED, ORDER_PLACED, ORDER_REJECTED,
};
use shop_events::{Event, outbox};

use crate::entity::saga;
use crate::repository::{self, NewOrderItem, OrderError, OrderModel};
use crate::services::{CallError, Card, Charged, Committed, Reserved, Services};
use crate::status::OrderStatus;

/// The last completed step of a saga.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Placed,
    Reserved,
    Paid,
    Done,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Placed => "PLACED",
            Step::Reserved => "RESERVED",
            Step::Paid => "PAID",
            Step::Done => "DONE",
        }
    }

    pub fn parse(name: &str) -> Option<Step> {
        [Step::Placed, Step::Reserved, Step::Paid, Step::Done]
            .into_iter()
            .find(|s| s.as_str() == name.to_ascii_uppercase())
    }
}

const RUNNING: &str = "RUNNING";
const COMPLETED: &str = "COMPLETED";
const COMPENSATED: &str = "COMPENSATED";

/// Most lines one order may have.
pub const MAX_LINES: usize = 100;
/// Longest client idempotency key (the column's width).
pub const MAX_KEY_LEN: usize = 255;

/// Why an order ended without being charged after a crash.
const INTERRUPTED: &str = "checkout was interrupted before the payment: nothing was charged";

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("{0}")]
    BadInput(String),
    #[error("no product with id {0}")]
    UnknownProduct(String),
    #[error("no order with id {0}")]
    NotFound(String),
    #[error("only a confirmed order can be cancelled; this one is {0}")]
    NotCancellable(String),
    #[error(transparent)]
    Unavailable(#[from] CallError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What `placeOrder` asks for.
pub struct PlaceOrder {
    pub items: Vec<(String, i32)>,
    pub card: Card,
    pub idempotency_key: String,
}

/// The customer's means to pay, present only while their request runs.
struct Payer {
    token: String,
    card: Card,
}

/// Runs checkouts; cheap to clone.
#[derive(Clone)]
pub struct Checkout {
    db: DatabaseConnection,
    services: Services,
    relay: outbox::Relay,
    /// Test hook: sleep for an hour right after this step is recorded, so that a
    /// test can kill the process at that point.
    pause_after: Option<Step>,
    /// Sagas this process is driving right now: one driver per saga.
    driving: Arc<Mutex<HashSet<String>>>,
}

impl Checkout {
    pub fn new(
        db: DatabaseConnection,
        services: Services,
        relay: outbox::Relay,
        pause_after: Option<Step>,
    ) -> Checkout {
        Checkout {
            db,
            services,
            relay,
            pause_after,
            driving: Arc::default(),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Places an order for `user_id` and runs its saga to the end (or as far as the
    /// other services allow; the rest finishes in the background). The same
    /// idempotency key returns the first order.
    pub async fn place(
        &self,
        user_id: &str,
        token: &str,
        request: PlaceOrder,
    ) -> Result<OrderModel, CheckoutError> {
        let key = request.idempotency_key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(CheckoutError::BadInput(format!(
                "idempotencyKey must be 1 to {MAX_KEY_LEN} characters"
            )));
        }
        if request.items.len() > MAX_LINES {
            return Err(CheckoutError::BadInput(format!(
                "an order has at most {MAX_LINES} lines"
            )));
        }
        if let Some(order) = self.order_of_key(user_id, key).await? {
            return Ok(order);
        }
        let mut ids: Vec<String> = request.items.iter().map(|(id, _)| id.clone()).collect();
        ids.sort();
        ids.dedup();
        let prices = self.services.prices(&ids).await?;
        let mut items = Vec::with_capacity(request.items.len());
        for (product_id, quantity) in &request.items {
            let price = prices
                .get(product_id)
                .ok_or_else(|| CheckoutError::UnknownProduct(product_id.clone()))?;
            items.push(NewOrderItem {
                product_id: product_id.clone(),
                quantity: *quantity,
                unit_price_cents: price.amount_cents,
                currency: price.currency.clone(),
            });
        }

        let txn = self.db.begin().await?;
        let order = repository::create_order_in(&txn, user_id, &items).await?;
        let now = Utc::now();
        let inserted = saga::ActiveModel {
            order_id: Set(order.order.id.clone()),
            user_id: Set(user_id.to_owned()),
            idempotency_key: Set(key.to_owned()),
            step: Set(Step::Placed.as_str().to_owned()),
            state: Set(RUNNING.to_owned()),
            reservation_id: Set(None),
            payment_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await;
        if let Err(err) = inserted {
            txn.rollback().await?;
            if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
                && let Some(first) = self.order_of_key(user_id, key).await?
            {
                // A concurrent retry of the same request stored it first.
                return Ok(first);
            }
            return Err(err.into());
        }
        outbox::record(&txn, &order_event(ORDER_PLACED, &order, None)).await?;
        txn.commit().await?;
        self.relay.wake();

        let order_id = order.order.id.clone();
        let payer = Payer {
            token: token.to_owned(),
            card: request.card,
        };
        // On its own task: a client that disconnects must not stop the saga halfway.
        let checkout = self.clone();
        let driven = tokio::spawn({
            let order_id = order_id.clone();
            async move { checkout.drive(&order_id, Some(payer)).await }
        })
        .await;
        match driven {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::warn!(order = %order_id, %err, "checkout paused; finishing in the background");
                self.finish_in_background(order_id.clone());
            }
            Err(err) => {
                tracing::error!(order = %order_id, %err, "checkout task failed; finishing in the background");
                self.finish_in_background(order_id.clone());
            }
        }
        repository::find_order(&self.db, &order_id)
            .await?
            .ok_or(CheckoutError::NotFound(order_id))
    }

    /// Cancels a confirmed order of `user_id`. The `order.cancelled` event makes
    /// payments refund the charge and inventory return the stock. Cancelling a
    /// cancelled order returns it unchanged.
    pub async fn cancel(&self, user_id: &str, order_id: &str) -> Result<OrderModel, CheckoutError> {
        let order = repository::find_order(&self.db, order_id)
            .await?
            .filter(|o| o.order.user_id == user_id)
            .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
        let reason = "cancelled by the customer";
        let txn = self.db.begin().await?;
        let cancelled = repository::transition(
            &txn,
            order_id,
            &[OrderStatus::Confirmed],
            OrderStatus::Cancelled,
            Some(reason),
        )
        .await?;
        if !cancelled {
            txn.rollback().await?;
            let current = repository::find_order(&self.db, order_id)
                .await?
                .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
            return if current.order.status == OrderStatus::Cancelled.as_str() {
                Ok(current)
            } else {
                Err(CheckoutError::NotCancellable(current.order.status))
            };
        }
        outbox::record(&txn, &order_event(ORDER_CANCELLED, &order, Some(reason))).await?;
        txn.commit().await?;
        self.relay.wake();
        repository::find_order(&self.db, order_id)
            .await?
            .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))
    }

    /// Resumes every saga a previous run left in the middle (crash, or another
    /// service unavailable), each on its own task, retrying until it ends.
    pub async fn recover(&self) -> Result<usize, DbErr> {
        let running = saga::Entity::find()
            .filter(saga::Column::State.eq(RUNNING))
            .all(&self.db)
            .await?;
        for saga in &running {
            tracing::info!(order = %saga.order_id, step = %saga.step, "resuming an interrupted checkout");
            self.finish_in_background(saga.order_id.clone());
        }
        Ok(running.len())
    }

    /// Drives `order_id` without the customer (so without a card) until its saga
    /// ends, backing off while other services are unavailable.
    fn finish_in_background(&self, order_id: String) {
        let checkout = self.clone();
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(500);
            loop {
                match checkout.drive(&order_id, None).await {
                    Ok(()) => return,
                    Err(err) => {
                        tracing::warn!(order = %order_id, %err, "checkout still cannot finish; retrying");
                        tokio::time::sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(30));
                    }
                }
            }
        });
    }

    /// Runs the saga of `order_id` from its recorded step to its end.
    async fn drive(&self, order_id: &str, mut payer: Option<Payer>) -> Result<(), CheckoutError> {
        let Some(_guard) = DriveGuard::claim(&self.driving, order_id) else {
            return Ok(());
        };
        loop {
            let saga = saga::Entity::find_by_id(order_id.to_owned())
                .one(&self.db)
                .await?
                .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
            let order = repository::find_order(&self.db, order_id)
                .await?
                .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
            let step = Step::parse(&saga.step).ok_or_else(|| {
                DbErr::Custom(format!("unknown saga step {:?} of {order_id}", saga.step))
            })?;
            match step {
                Step::Done => return Ok(()),
                Step::Placed => {
                    let items: Vec<(String, i32)> = order
                        .items
                        .iter()
                        .map(|i| (i.product_id.clone(), i.quantity))
                        .collect();
                    match self.services.reserve(order_id, &items).await? {
                        Reserved::OutOfStock(message) => {
                            return self
                                .conclude(
                                    &order,
                                    OrderStatus::Rejected,
                                    &message,
                                    COMPENSATED,
                                    ORDER_REJECTED,
                                )
                                .await;
                        }
                        Reserved::Held { reservation_id } if payer.is_none() => {
                            // Resumed without the customer: the charge cannot happen.
                            self.services.release(&reservation_id).await?;
                            return self
                                .conclude(
                                    &order,
                                    OrderStatus::PaymentFailed,
                                    INTERRUPTED,
                                    COMPENSATED,
                                    ORDER_PAYMENT_FAILED,
                                )
                                .await;
                        }
                        Reserved::Held { reservation_id } => {
                            self.advance(&saga, Step::Reserved, Some(reservation_id), None)
                                .await?;
                            if self.pause_after == Some(Step::Reserved) {
                                tracing::warn!(order = %order_id, "test hook: pausing after the reservation");
                                tokio::time::sleep(Duration::from_secs(3600)).await;
                            }
                        }
                    }
                }
                Step::Reserved => {
                    let reservation_id = saga.reservation_id.clone().unwrap_or_default();
                    let attempt = match &payer {
                        Some(payer) => Some(
                            self.services
                                .charge(
                                    &payer.token,
                                    order_id,
                                    order.order.total_cents,
                                    &order.order.currency,
                                    &payer.card,
                                )
                                .await,
                        ),
                        None => None,
                    };
                    let charged = match attempt {
                        Some(Ok(charged)) => charged,
                        Some(Err(err)) => {
                            // The charge may or may not have happened: from here on,
                            // ask payments instead of charging.
                            tracing::warn!(order = %order_id, %err, "charge outcome unknown");
                            payer = None;
                            continue;
                        }
                        None => self.services.charge_of(order_id).await?,
                    };
                    match charged {
                        Charged::Succeeded { payment_id } => {
                            self.advance(&saga, Step::Paid, None, Some(payment_id))
                                .await?;
                        }
                        Charged::Declined(reason) => {
                            self.services.release(&reservation_id).await?;
                            return self
                                .conclude(
                                    &order,
                                    OrderStatus::PaymentFailed,
                                    &reason,
                                    COMPENSATED,
                                    ORDER_PAYMENT_FAILED,
                                )
                                .await;
                        }
                        Charged::Absent => {
                            self.services.release(&reservation_id).await?;
                            return self
                                .conclude(
                                    &order,
                                    OrderStatus::PaymentFailed,
                                    INTERRUPTED,
                                    COMPENSATED,
                                    ORDER_PAYMENT_FAILED,
                                )
                                .await;
                        }
                    }
                }
                Step::Paid => {
                    let reservation_id = saga.reservation_id.clone().unwrap_or_default();
                    return match self.services.commit(&reservation_id).await? {
                        Committed::Done => {
                            self.conclude(
                                &order,
                                OrderStatus::Confirmed,
                                "",
                                COMPLETED,
                                ORDER_CONFIRMED,
                            )
                            .await
                        }
                        Committed::TooLate(message) => {
                            let reason = format!(
                                "the stock could not be kept ({message}); the payment is refunded"
                            );
                            self.conclude(
                                &order,
                                OrderStatus::Cancelled,
                                &reason,
                                COMPENSATED,
                                ORDER_CANCELLED,
                            )
                            .await
                        }
                    };
                }
            }
        }
    }

    /// Records that `step` completed (and what it produced); the order shows
    /// `RESERVED` from the reservation on.
    async fn advance(
        &self,
        saga: &saga::Model,
        step: Step,
        reservation_id: Option<String>,
        payment_id: Option<String>,
    ) -> Result<(), DbErr> {
        let txn = self.db.begin().await?;
        let mut row: saga::ActiveModel = saga.clone().into();
        row.step = Set(step.as_str().to_owned());
        row.updated_at = Set(Utc::now());
        if let Some(id) = reservation_id {
            row.reservation_id = Set(Some(id));
        }
        if let Some(id) = payment_id {
            row.payment_id = Set(Some(id));
        }
        row.update(&txn).await?;
        if step == Step::Reserved {
            repository::transition(
                &txn,
                &saga.order_id,
                &[OrderStatus::Pending],
                OrderStatus::Reserved,
                None,
            )
            .await?;
        }
        txn.commit().await
    }

    /// Ends the saga: the order's final status, the saga's state and the event, in
    /// one transaction.
    async fn conclude(
        &self,
        order: &OrderModel,
        status: OrderStatus,
        reason: &str,
        state: &str,
        event_type: &str,
    ) -> Result<(), CheckoutError> {
        let reason = (!reason.is_empty()).then_some(reason);
        let txn = self.db.begin().await?;
        repository::transition(
            &txn,
            &order.order.id,
            &[OrderStatus::Pending, OrderStatus::Reserved],
            status,
            reason,
        )
        .await?;
        saga::Entity::update_many()
            .col_expr(saga::Column::Step, Step::Done.as_str().into())
            .col_expr(saga::Column::State, state.into())
            .col_expr(saga::Column::UpdatedAt, Utc::now().into())
            .filter(saga::Column::OrderId.eq(order.order.id.as_str()))
            .exec(&txn)
            .await?;
        outbox::record(&txn, &order_event(event_type, order, reason)).await?;
        txn.commit().await?;
        self.relay.wake();
        Ok(())
    }

    async fn order_of_key(&self, user_id: &str, key: &str) -> Result<Option<OrderModel>, DbErr> {
        let Some(saga) = saga::Entity::find()
            .filter(saga::Column::UserId.eq(user_id))
            .filter(saga::Column::IdempotencyKey.eq(key))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        repository::find_order(&self.db, &saga.order_id).await
    }
}

/// An order event: who, what, how much, and why (for the final ones).
fn order_event(event_type: &str, order: &OrderModel, reason: Option<&str>) -> Event {
    let items: Vec<serde_json::Value> = order
        .items
        .iter()
        .map(|i| {
            json!({
                "productId": i.product_id,
                "quantity": i.quantity,
                "unitPriceCents": i.unit_price_cents,
            })
        })
        .collect();
    Event::new(
        event_type,
        order.order.id.clone(),
        json!({
            "userId": order.order.user_id,
            "items": items,
            "totalCents": order.order.total_cents,
            "currency": order.order.currency,
            "reason": reason,
        }),
    )
}

/// Membership of a saga in the set of sagas being driven, released on drop.
struct DriveGuard {
    driving: Arc<Mutex<HashSet<String>>>,
    order_id: String,
}

impl DriveGuard {
    fn claim(driving: &Arc<Mutex<HashSet<String>>>, order_id: &str) -> Option<DriveGuard> {
        let mut set = driving.lock().unwrap_or_else(|e| e.into_inner());
        set.insert(order_id.to_owned()).then(|| DriveGuard {
            driving: driving.clone(),
            order_id: order_id.to_owned(),
        })
    }
}

impl Drop for DriveGuard {
    fn drop(&mut self) {
        self.driving
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.order_id);
    }
}
