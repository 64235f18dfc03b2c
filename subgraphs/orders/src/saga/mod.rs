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
//! Every call is keyed by the order id (inventory reserves once per order, payments
//! charges once per order), so any step can be repeated. The card exists only in
//! the request that brought it: a saga resumed after a crash cannot charge, so it
//! asks payments whether the charge happened and finishes (charged) or compensates
//! (not charged). A charge still in flight when the process died is refunded by
//! payments when it sees `order.payment_failed`.
//!
//! Money invariants held here: the amount charged is the order's stored total
//! (computed from the prices products gave, never from client input), and an order
//! becomes `CONFIRMED` only when payments reports a captured charge equal to that
//! total; anything else compensates.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tracing::Instrument;

use chrono::Utc;
use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
    SqlErr, TransactionTrait,
};
use serde_json::json;
use shop_events::event_types::{ORDER_CANCELLED, ORDER_PLACED};
use shop_events::{Event, outbox};

mod run;
mod steps;

use shop_common::Claims;
use shop_common::card::{self, CardDetails, CardError};
use shop_common::rate_limit::{KeyedLimiter, Limited};

use crate::entity::saga;
use crate::repository::{self, NewOrderItem, OrderError, OrderModel};
use crate::services::{CallError, Services};
use crate::status::OrderStatus;

/// The last completed step of a saga (`checkout_sagas.step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Step {
    #[sea_orm(string_value = "PLACED")]
    Placed,
    #[sea_orm(string_value = "RESERVED")]
    Reserved,
    #[sea_orm(string_value = "PAID")]
    Paid,
    #[sea_orm(string_value = "DONE")]
    Done,
}

/// Whether a saga still runs or how it ended (`checkout_sagas.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum SagaState {
    #[sea_orm(string_value = "RUNNING")]
    Running,
    /// Ended with the order confirmed.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Ended with everything it did undone (rejected, failed, cancelled).
    #[sea_orm(string_value = "COMPENSATED")]
    Compensated,
}

/// Most lines one order may have.
pub const MAX_LINES: usize = 100;
/// Longest client idempotency key (the column's width).
pub const MAX_KEY_LEN: usize = 255;

/// Why an order ended without being charged after a crash.
const INTERRUPTED: &str = "checkout was interrupted before the payment: nothing was charged";
/// Why an order ended when the charge reported was not its total.
const MISMATCHED_CHARGE: &str =
    "the payment did not match the order total: it is refunded and the order not placed";

#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    InvalidCard(#[from] CardError),
    #[error("this idempotency key was already used for an order with other items")]
    KeyReused,
    #[error("too many failed payments")]
    TooManyDeclines(Limited),
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
    pub card: CardDetails,
    pub idempotency_key: String,
}

/// The customer's card, present only while their request runs.
struct Payer {
    card: CardDetails,
}

/// Runs checkouts; cheap to clone.
#[derive(Clone)]
pub struct Checkout {
    db: DatabaseConnection,
    services: Services,
    relay: outbox::Relay,
    /// Sagas this process is driving right now: one driver per saga.
    driving: Arc<Mutex<HashSet<String>>>,
    /// Failed payments per customer (card testing): over the limit, `placeOrder`
    /// is refused before anything is stored.
    declines: Arc<KeyedLimiter<String>>,
}

impl Checkout {
    pub fn new(
        db: DatabaseConnection,
        services: Services,
        relay: outbox::Relay,
        declines: KeyedLimiter<String>,
    ) -> Checkout {
        Checkout {
            db,
            services,
            relay,
            driving: Arc::default(),
            declines: Arc::new(declines),
        }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Places an order for `user_id` and runs its saga to the end (or as far as the
    /// other services allow; the rest finishes in the background). The same
    /// idempotency key with the same items returns the first order; with other
    /// items it is [`CheckoutError::KeyReused`]. An invalid card, or a customer
    /// whose payments failed too often, is refused before anything is stored.
    pub async fn place(
        &self,
        user_id: &str,
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
            return same_items(order, &request.items);
        }
        card::validate(&request.card, Utc::now().date_naive())?;
        self.declines
            .check(&user_id.to_owned())
            .map_err(CheckoutError::TooManyDeclines)?;
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
            step: Set(Step::Placed),
            state: Set(SagaState::Running),
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
                return same_items(first, &request.items);
            }
            return Err(err.into());
        }
        outbox::record(&txn, &order_event(ORDER_PLACED, &order, None)).await?;
        txn.commit().await?;
        self.relay.wake();

        let order_id = order.order.id.clone();
        let payer = Payer { card: request.card };
        // On its own task: a client that disconnects must not stop the saga halfway.
        // In the request's span, so its calls to other services join its trace.
        let checkout = self.clone();
        let driven = tokio::spawn({
            let order_id = order_id.clone();
            async move { checkout.drive(&order_id, Some(payer)).await }.in_current_span()
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
        let order = repository::find_order(&self.db, &order_id)
            .await?
            .ok_or(CheckoutError::NotFound(order_id))?;
        if order.order.status == OrderStatus::PaymentFailed {
            self.declines.record_failure(&user_id.to_owned());
        }
        Ok(order)
    }

    /// Cancels a confirmed order of the caller (any order, for an admin). The
    /// `order.cancelled` event makes payments refund the charge and inventory return
    /// the stock. Cancelling a cancelled order returns it unchanged; someone else's
    /// order answers as missing.
    pub async fn cancel(
        &self,
        caller: &Claims,
        order_id: &str,
    ) -> Result<OrderModel, CheckoutError> {
        let order = repository::find_order(&self.db, order_id)
            .await?
            .filter(|o| o.order.user_id == caller.sub || caller.is_admin())
            .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
        let reason = if order.order.user_id == caller.sub {
            "cancelled by the customer"
        } else {
            "cancelled by an admin"
        };
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
            return if current.order.status == OrderStatus::Cancelled {
                Ok(current)
            } else {
                Err(CheckoutError::NotCancellable(
                    current.order.status.to_value(),
                ))
            };
        }
        outbox::record(&txn, &order_event(ORDER_CANCELLED, &order, Some(reason))).await?;
        txn.commit().await?;
        self.relay.wake();
        repository::find_order(&self.db, order_id)
            .await?
            .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))
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

/// The order a key already made answers a retry only if the retry asks for the same
/// lines: a key reused for another cart must not pass silently.
fn same_items(order: OrderModel, wanted: &[(String, i32)]) -> Result<OrderModel, CheckoutError> {
    let placed: Vec<(&str, i32)> = order
        .items
        .iter()
        .map(|i| (i.product_id.as_str(), i.quantity))
        .collect();
    let asked: Vec<(&str, i32)> = wanted.iter().map(|(id, q)| (id.as_str(), *q)).collect();
    if placed == asked {
        Ok(order)
    } else {
        Err(CheckoutError::KeyReused)
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
