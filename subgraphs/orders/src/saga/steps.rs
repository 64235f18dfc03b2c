//! One function per saga step: each calls the service the step needs and records
//! what happened, either the next step or the saga's end.

use shop_events::event_types::{
    ORDER_CANCELLED, ORDER_CONFIRMED, ORDER_PAYMENT_FAILED, ORDER_REJECTED,
};

use super::{Checkout, CheckoutError, INTERRUPTED, MISMATCHED_CHARGE, Payer, SagaState, Step};
use crate::entity::saga;
use crate::repository::OrderModel;
use crate::services::{Charged, Committed, Price, Reserved};
use crate::status::OrderStatus;

/// What a step leaves to do.
pub(super) enum Progress {
    /// The saga moved (or must look again): drive its next step.
    Again,
    /// The saga ended.
    Finished,
}

impl Checkout {
    /// `PLACED` → hold the stock. Out of stock rejects the order; held without
    /// the customer's card (resumed after a crash) releases it, since nothing
    /// can be charged.
    pub(super) async fn reserve(
        &self,
        saga: &saga::Model,
        order: &OrderModel,
        has_payer: bool,
    ) -> Result<Progress, CheckoutError> {
        let items: Vec<(String, i32)> = order
            .items
            .iter()
            .map(|i| (i.product_id.clone(), i.quantity))
            .collect();
        match self.services.reserve(&saga.order_id, &items).await? {
            Reserved::OutOfStock(message) => {
                self.conclude(
                    order,
                    OrderStatus::Rejected,
                    &message,
                    SagaState::Compensated,
                    ORDER_REJECTED,
                )
                .await?;
                Ok(Progress::Finished)
            }
            Reserved::Held { reservation_id } if !has_payer => {
                self.fail_payment(order, &reservation_id, INTERRUPTED).await
            }
            Reserved::Held { reservation_id } => {
                self.advance(saga, Step::Reserved, Some(reservation_id), None)
                    .await?;
                Ok(Progress::Again)
            }
        }
    }

    /// `RESERVED` → charge the order's stored total (with the customer's card),
    /// or, without it, ask payments whether a charge happened. A charge whose
    /// outcome is unknown drops the card: from then on the saga only asks.
    pub(super) async fn pay(
        &self,
        saga: &saga::Model,
        order: &OrderModel,
        payer: &mut Option<Payer>,
    ) -> Result<Progress, CheckoutError> {
        let order_id = saga.order_id.as_str();
        let reservation_id = saga.reservation_id.clone().unwrap_or_default();
        let total = Price {
            amount_cents: order.order.total_cents,
            currency: order.order.currency.clone(),
        };
        let charged = match payer {
            Some(card_holder) => {
                let user_id = &order.order.user_id;
                match self
                    .services
                    .charge(user_id, order_id, &total, &card_holder.card)
                    .await
                {
                    Ok(charged) => charged,
                    Err(err) => {
                        tracing::warn!(order = %order_id, %err, "charge outcome unknown");
                        *payer = None;
                        return Ok(Progress::Again);
                    }
                }
            }
            None => self.services.charge_of(order_id).await?,
        };
        match charged {
            Charged::Succeeded { payment_id, amount } if amount == total => {
                self.advance(saga, Step::Paid, None, Some(payment_id))
                    .await?;
                Ok(Progress::Again)
            }
            Charged::Succeeded { payment_id, amount } => {
                // Cannot happen while payments charges what it is asked; if it
                // does, the order is not confirmed and `order.payment_failed`
                // makes payments refund.
                tracing::error!(order = %order_id, payment = %payment_id, charged = ?amount, ?total, "charge does not match the order total");
                self.fail_payment(order, &reservation_id, MISMATCHED_CHARGE)
                    .await
            }
            Charged::Declined(reason) => self.fail_payment(order, &reservation_id, &reason).await,
            Charged::Absent => self.fail_payment(order, &reservation_id, INTERRUPTED).await,
        }
    }

    /// `PAID` → turn the held stock into sold stock. A hold that expired in the
    /// meantime cancels the order (and `order.cancelled` makes payments refund).
    pub(super) async fn commit(
        &self,
        saga: &saga::Model,
        order: &OrderModel,
    ) -> Result<Progress, CheckoutError> {
        let reservation_id = saga.reservation_id.clone().unwrap_or_default();
        match self.services.commit(&reservation_id).await? {
            Committed::Done => {
                self.conclude(
                    order,
                    OrderStatus::Confirmed,
                    "",
                    SagaState::Completed,
                    ORDER_CONFIRMED,
                )
                .await?
            }
            Committed::TooLate(message) => {
                let reason =
                    format!("the stock could not be kept ({message}); the payment is refunded");
                self.conclude(
                    order,
                    OrderStatus::Cancelled,
                    &reason,
                    SagaState::Compensated,
                    ORDER_CANCELLED,
                )
                .await?
            }
        }
        Ok(Progress::Finished)
    }

    /// The compensation of every failed payment: the stock goes back and the
    /// order ends `PAYMENT_FAILED` with `reason`.
    async fn fail_payment(
        &self,
        order: &OrderModel,
        reservation_id: &str,
        reason: &str,
    ) -> Result<Progress, CheckoutError> {
        self.services.release(reservation_id).await?;
        self.conclude(
            order,
            OrderStatus::PaymentFailed,
            reason,
            SagaState::Compensated,
            ORDER_PAYMENT_FAILED,
        )
        .await?;
        Ok(Progress::Finished)
    }
}
