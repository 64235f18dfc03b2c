//! Driving a saga from its recorded step to its end, and resuming the sagas a
//! previous run left in the middle.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use shop_events::outbox;

use super::steps::Progress;
use super::{Checkout, CheckoutError, Payer, SagaState, Step, order_event};
use crate::entity::saga;
use crate::repository::{self, OrderModel};
use crate::status::OrderStatus;

impl Checkout {
    /// Resumes every saga a previous run left in the middle (crash, or another
    /// service unavailable), each on its own task, retrying until it ends.
    pub async fn recover(&self) -> Result<usize, DbErr> {
        let running = saga::Entity::find()
            .filter(saga::Column::State.eq(SagaState::Running))
            .all(&self.db)
            .await?;
        for saga in &running {
            tracing::info!(order = %saga.order_id, step = %saga.step.to_value(), "resuming an interrupted checkout");
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

    /// Runs the saga of `order_id` from its recorded step to its end, one step
    /// at a time, reading the recorded state again before each.
    pub(super) async fn drive(
        &self,
        order_id: &str,
        mut payer: Option<Payer>,
    ) -> Result<(), CheckoutError> {
        let Some(_guard) = DriveGuard::claim(&self.driving, order_id) else {
            return Ok(());
        };
        loop {
            let (saga, order, step) = self.load(order_id).await?;
            let progress = match step {
                Step::Done => Progress::Finished,
                Step::Placed => self.reserve(&saga, &order, payer.is_some()).await?,
                Step::Reserved => self.pay(&saga, &order, &mut payer).await?,
                Step::Paid => self.commit(&saga, &order).await?,
            };
            if let Progress::Finished = progress {
                return Ok(());
            }
        }
    }

    /// The saga of `order_id`, its order, and its last completed step.
    async fn load(&self, order_id: &str) -> Result<(saga::Model, OrderModel, Step), CheckoutError> {
        let saga = saga::Entity::find_by_id(order_id.to_owned())
            .one(&self.db)
            .await?
            .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
        let order = repository::find_order(&self.db, order_id)
            .await?
            .ok_or_else(|| CheckoutError::NotFound(order_id.to_owned()))?;
        let step = saga.step;
        Ok((saga, order, step))
    }

    /// Records that `step` completed (and what it produced); the order shows
    /// `RESERVED` from the reservation on.
    pub(super) async fn advance(
        &self,
        saga: &saga::Model,
        step: Step,
        reservation_id: Option<String>,
        payment_id: Option<String>,
    ) -> Result<(), DbErr> {
        let txn = self.db.begin().await?;
        let mut row: saga::ActiveModel = saga.clone().into();
        row.step = Set(step);
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
            &format!("checkout-after-{}", step.to_value().to_lowercase()),
            |_| (),
        )
        .is_some()
        {
            tracing::warn!(order = %saga.order_id, step = %step.to_value(), "failpoint: pausing the checkout");
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Ok(())
    }

    /// Ends the saga: the order's final status, the saga's state and the event, in
    /// one transaction.
    pub(super) async fn conclude(
        &self,
        order: &OrderModel,
        status: OrderStatus,
        reason: &str,
        state: SagaState,
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
            .col_expr(saga::Column::Step, Expr::value(Step::Done))
            .col_expr(saga::Column::State, Expr::value(state))
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
