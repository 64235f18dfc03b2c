//! Driving a saga from its recorded step to its end, and resuming the sagas a
//! previous run left in the middle.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use shop_events::event_types::{
    ORDER_CANCELLED, ORDER_CONFIRMED, ORDER_PAYMENT_FAILED, ORDER_REJECTED,
};
use shop_events::outbox;

use super::{
    COMPENSATED, COMPLETED, Checkout, CheckoutError, INTERRUPTED, MISMATCHED_CHARGE, Payer,
    RUNNING, Step, order_event,
};
use crate::entity::saga;
use crate::repository::{self, OrderModel};
use crate::services::{Charged, Committed, Price, Reserved};
use crate::status::OrderStatus;

impl Checkout {
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
    pub(super) fn finish_in_background(&self, order_id: String) {
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
    pub(super) async fn drive(
        &self,
        order_id: &str,
        mut payer: Option<Payer>,
    ) -> Result<(), CheckoutError> {
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
                        }
                    }
                }
                Step::Reserved => {
                    let reservation_id = saga.reservation_id.clone().unwrap_or_default();
                    let total = Price {
                        amount_cents: order.order.total_cents,
                        currency: order.order.currency.clone(),
                    };
                    let attempt = match &payer {
                        Some(payer) => Some(
                            self.services
                                .charge(&order.order.user_id, order_id, &total, &payer.card)
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
                        Charged::Succeeded { payment_id, amount } if amount == total => {
                            self.advance(&saga, Step::Paid, None, Some(payment_id))
                                .await?;
                        }
                        Charged::Succeeded { payment_id, amount } => {
                            // Cannot happen while payments charges what it is asked;
                            // if it does, the order is not confirmed and
                            // `order.payment_failed` makes payments refund.
                            tracing::error!(order = %order_id, payment = %payment_id, charged = ?amount, ?total, "charge does not match the order total");
                            self.services.release(&reservation_id).await?;
                            return self
                                .conclude(
                                    &order,
                                    OrderStatus::PaymentFailed,
                                    MISMATCHED_CHARGE,
                                    COMPENSATED,
                                    ORDER_PAYMENT_FAILED,
                                )
                                .await;
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
        txn.commit().await?;
        // `RESERVED` goes out to live subscribers now, not at the relay's next poll.
        self.relay.wake();
        // Failpoints `checkout-after-reserved`, `checkout-after-paid`, ...: only in
        // a build with the `failpoints` feature (the crash tests'), set by the
        // `FAILPOINTS` variable (`checkout-after-paid=return`). The checkout then
        // waits right after the step is recorded, so the test can kill the
        // process there.
        #[cfg(feature = "failpoints")]
        if fail::eval(
            &format!("checkout-after-{}", step.as_str().to_lowercase()),
            |_| (),
        )
        .is_some()
        {
            tracing::warn!(order = %saga.order_id, step = step.as_str(), "failpoint: pausing the checkout");
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Ok(())
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
