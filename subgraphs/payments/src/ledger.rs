//! Recording charges and refunds so that no request is ever applied twice, and no
//! money moves that should not.
//!
//! An order is charged at most once: the idempotency key is derived here from the
//! order id (`order-<id>`), never taken from the caller. A charge claims its key by
//! inserting the payment row inside a transaction, and only then asks the
//! processor; the row's final status is written in the same transaction. A
//! concurrent retry with the same key blocks on the unique index (PostgreSQL) or the
//! write lock (SQLite) until the first commits, then fails to insert and returns the
//! committed row. So the processor is asked at most once per order, and every
//! caller for one order sees the same payment.
//!
//! A refund is always of a whole succeeded payment, at most one per payment (a
//! unique index), and happens only as a reaction to an order that was cancelled or
//! whose checkout failed: refunded never exceeds charged.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, SqlErr, TransactionTrait,
};

use serde_json::json;
use shop_events::event_types::{PAYMENT_FAILED, PAYMENT_REFUNDED, PAYMENT_SUCCEEDED};
use shop_events::{Event, outbox};

use crate::entity::{payment, refund};
use crate::processor::{ChargeOutcome, TestCardProcessor};
use crate::status::{PaymentStatus, StoredStatus};
use shop_common::card::ValidCard;

/// Longest idempotency key accepted (the column's width).
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// A charge to make: an order's total, on behalf of the order's owner.
pub struct ChargeRequest<'a> {
    pub user_id: &'a str,
    pub order_id: &'a str,
    pub amount_cents: i64,
    pub currency: &'a str,
    pub card: &'a ValidCard,
}

/// The idempotency key of an order's charge: one charge per order, ever.
pub fn charge_key(order_id: &str) -> String {
    format!("order-{order_id}")
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("amount must be positive, got {0}")]
    NonPositiveAmount(i64),
    #[error("currency {0:?} is not a three-letter ISO 4217 code")]
    InvalidCurrency(String),
    #[error("order id must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} characters")]
    InvalidOrderId,
    #[error("this order was already charged with a different amount, payer or card")]
    KeyReused,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Charges `request.card` once per order and records the outcome (approved or
/// declined). A retry for the same order with the same request returns the first
/// payment; anything else for that order is [`LedgerError::KeyReused`].
pub async fn charge(
    db: &DatabaseConnection,
    processor: &TestCardProcessor,
    request: ChargeRequest<'_>,
) -> Result<payment::Model, LedgerError> {
    if request.amount_cents <= 0 {
        return Err(LedgerError::NonPositiveAmount(request.amount_cents));
    }
    check_currency(request.currency)?;
    let key = charge_key(request.order_id);
    check_key(request.order_id)?;
    if let Some(existing) = payment_by_key(db, &key).await? {
        return same_request(existing, &request);
    }
    match charge_once(db, processor, &request, &key).await {
        Ok(payment) => Ok(payment),
        Err(LedgerError::Db(err)) if is_unique_violation(&err) => {
            tracing::info!(
                order = request.order_id,
                "concurrent charge of the same order; answering with the first"
            );
            let existing = payment_by_key(db, &key)
                .await?
                .ok_or(LedgerError::Db(err))?;
            same_request(existing, &request)
        }
        Err(err) => Err(err),
    }
}

async fn charge_once(
    db: &DatabaseConnection,
    processor: &TestCardProcessor,
    request: &ChargeRequest<'_>,
    key: &str,
) -> Result<payment::Model, LedgerError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    let claimed = payment::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        order_id: Set(request.order_id.to_owned()),
        user_id: Set(request.user_id.to_owned()),
        amount_cents: Set(request.amount_cents),
        currency: Set(request.currency.to_owned()),
        // Never visible: replaced below before the transaction commits.
        status: Set(StoredStatus::Processing),
        decline_reason: Set(None),
        card_brand: Set(request.card.brand().to_owned()),
        card_last4: Set(request.card.last4().to_owned()),
        idempotency_key: Set(key.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let (status, reason) =
        match processor.charge(request.card, request.amount_cents, request.currency) {
            ChargeOutcome::Approved => (PaymentStatus::Succeeded, None),
            ChargeOutcome::Declined(reason) => (PaymentStatus::Declined, Some(reason.to_owned())),
        };
    let mut settled: payment::ActiveModel = claimed.into();
    settled.status = Set(status.into());
    settled.decline_reason = Set(reason);
    let settled = settled.update(&txn).await?;
    let event_type = match status {
        PaymentStatus::Succeeded => PAYMENT_SUCCEEDED,
        _ => PAYMENT_FAILED,
    };
    outbox::record(&txn, &payment_event(event_type, &settled)).await?;
    txn.commit().await?;
    Ok(settled)
}

/// The first payment of a key answers a retry only if the retry asks for the same
/// thing (same payer, order, amount and card, as far as brand and last four digits
/// tell); anything else is a client bug that must not pass silently.
fn same_request(
    existing: payment::Model,
    request: &ChargeRequest<'_>,
) -> Result<payment::Model, LedgerError> {
    let same = existing.user_id == request.user_id
        && existing.order_id == request.order_id
        && existing.amount_cents == request.amount_cents
        && existing.currency == request.currency
        && existing.card_brand == request.card.brand()
        && existing.card_last4 == request.card.last4();
    if same {
        Ok(existing)
    } else {
        Err(LedgerError::KeyReused)
    }
}

async fn refund_once(
    db: &DatabaseConnection,
    payment: &payment::Model,
    idempotency_key: &str,
) -> Result<payment::Model, LedgerError> {
    let now = Utc::now();
    let txn = db.begin().await?;
    refund::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        payment_id: Set(payment.id.clone()),
        idempotency_key: Set(idempotency_key.to_owned()),
        amount_cents: Set(payment.amount_cents),
        currency: Set(payment.currency.clone()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut refunded: payment::ActiveModel = payment.clone().into();
    refunded.status = Set(StoredStatus::Refunded);
    refunded.updated_at = Set(now);
    let refunded = refunded.update(&txn).await?;
    outbox::record(&txn, &payment_event(PAYMENT_REFUNDED, &refunded)).await?;
    txn.commit().await?;
    Ok(refunded)
}

/// A payment event; the aggregate is the payment.
fn payment_event(event_type: &str, payment: &payment::Model) -> Event {
    Event::new(
        event_type,
        payment.id.clone(),
        json!({
            "orderId": payment.order_id,
            "userId": payment.user_id,
            "amountCents": payment.amount_cents,
            "currency": payment.currency,
            "declineReason": payment.decline_reason,
        }),
    )
}

/// Refunds whatever went through for `order_id` (an order that was cancelled, or
/// whose checkout failed after a charge it did not see). Nothing to refund is fine;
/// a second call refunds nothing more. Returns the refunded payment, if any. The
/// only way money goes back: there is no refund operation in the API.
pub async fn refund_order(
    db: &DatabaseConnection,
    order_id: &str,
) -> Result<Option<payment::Model>, LedgerError> {
    let Some(payment) = payment_of_order(db, order_id).await? else {
        return Ok(None);
    };
    if payment.status != StoredStatus::Succeeded {
        return Ok(None);
    }
    let key = format!("refund-order-{order_id}");
    match refund_once(db, &payment, &key).await {
        Ok(refunded) => Ok(Some(refunded)),
        // Another delivery of the same event refunded it first (one refund per
        // payment, by a unique index).
        Err(LedgerError::Db(err)) if is_unique_violation(&err) => Ok(Some(
            find_payment(db, &payment.id)
                .await?
                .ok_or(LedgerError::Db(err))?,
        )),
        Err(err) => Err(err),
    }
}

pub async fn find_payment(
    db: &DatabaseConnection,
    id: &str,
) -> Result<Option<payment::Model>, DbErr> {
    payment::Entity::find_by_id(id.to_owned()).one(db).await
}

/// The payments among `ids` that exist, in no particular order.
pub async fn find_payments(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<Vec<payment::Model>, DbErr> {
    payment::Entity::find()
        .filter(payment::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await
}

/// The payment that stands for an order: the latest one that was not declined (it
/// went through, possibly refunded since), else the latest attempt.
pub async fn payment_of_order(
    db: &DatabaseConnection,
    order_id: &str,
) -> Result<Option<payment::Model>, DbErr> {
    Ok(payments_of_orders(db, &[order_id.to_owned()])
        .await?
        .remove(order_id))
}

/// [`payment_of_order`] for many orders at once: one query, keyed by order id;
/// orders without any payment are absent.
pub async fn payments_of_orders(
    db: &DatabaseConnection,
    order_ids: &[String],
) -> Result<HashMap<String, payment::Model>, DbErr> {
    let attempts = payment::Entity::find()
        .filter(payment::Column::OrderId.is_in(order_ids.iter().cloned()))
        .order_by_desc(payment::Column::CreatedAt)
        .order_by_desc(payment::Column::Id)
        .all(db)
        .await?;
    let declined = StoredStatus::Declined;
    let mut standing: HashMap<String, payment::Model> = HashMap::new();
    for attempt in attempts {
        // Newest first: the first attempt seen for an order is its latest; a later
        // (older) one replaces it only if it went through and the current one did not.
        match standing.get(&attempt.order_id) {
            Some(current) if current.status == declined && attempt.status != declined => {
                standing.insert(attempt.order_id.clone(), attempt);
            }
            Some(_) => {}
            None => {
                standing.insert(attempt.order_id.clone(), attempt);
            }
        }
    }
    Ok(standing)
}

async fn payment_by_key(
    db: &DatabaseConnection,
    key: &str,
) -> Result<Option<payment::Model>, DbErr> {
    payment::Entity::find()
        .filter(payment::Column::IdempotencyKey.eq(key))
        .one(db)
        .await
}

fn check_currency(currency: &str) -> Result<(), LedgerError> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(LedgerError::InvalidCurrency(currency.to_owned()))
    }
}

/// The order id makes the key, which must fit its column.
fn check_key(order_id: &str) -> Result<(), LedgerError> {
    if order_id.trim().is_empty() || charge_key(order_id).len() > MAX_IDEMPOTENCY_KEY_LEN {
        Err(LedgerError::InvalidOrderId)
    } else {
        Ok(())
    }
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
