//! `processPayment` and `refundPayment`: both need a signed-in user and an
//! idempotency key, so a client can retry after a timeout without paying twice.

use async_graphql::{Context, ID, InputObject, Object};
use shop_common::{CurrentUser, coded_error};

use super::{MoneyInput, Payment};
use crate::ledger::{self, ChargeRequest, LedgerError};
use crate::processor::{self, CardDetails, TestCardProcessor};

/// Card details. Only the brand and the last four digits are ever stored.
#[derive(InputObject)]
pub struct CardInput {
    /// Spaces and dashes are ignored.
    pub number: String,
    pub expiry_month: i32,
    /// Four digits, e.g. 2030.
    pub expiry_year: i32,
    pub cvc: String,
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// Charges `card` for an order. An invalid card is `BAD_USER_INPUT` and records
    /// nothing; a declined card records a `DECLINED` payment with its reason. The
    /// same `idempotencyKey` never charges twice: a retry returns the first payment,
    /// and reusing the key for a different order or amount is a `CONFLICT`.
    async fn process_payment(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        amount: MoneyInput,
        card: CardInput,
        idempotency_key: String,
    ) -> async_graphql::Result<Payment> {
        let claims = CurrentUser::from_ctx(ctx)?;
        let details = CardDetails {
            number: card.number,
            expiry_month: card.expiry_month,
            expiry_year: card.expiry_year,
            cvc: card.cvc,
        };
        let card = processor::validate(&details, chrono::Utc::now().date_naive())
            .map_err(|err| coded_error("BAD_USER_INPUT", err.to_string()))?;
        let request = ChargeRequest {
            user_id: &claims.sub,
            order_id: order_id.as_str(),
            amount_cents: i64::from(amount.amount_cents),
            currency: &amount.currency,
            card: &card,
            idempotency_key: &idempotency_key,
        };
        let processor = ctx.data::<TestCardProcessor>()?;
        let payment = ledger::charge(super::db(ctx)?, processor, request)
            .await
            .map_err(ledger_error)?;
        wake_relay(ctx);
        Ok(Payment(payment))
    }

    /// Refunds a `SUCCEEDED` payment of the signed-in user in full. Idempotent: the
    /// same key, or a second refund of the same payment, returns the refunded payment.
    async fn refund_payment(
        &self,
        ctx: &Context<'_>,
        payment_id: ID,
        idempotency_key: String,
    ) -> async_graphql::Result<Payment> {
        let claims = CurrentUser::from_ctx(ctx)?;
        let payment = ledger::refund(
            super::db(ctx)?,
            &claims.sub,
            payment_id.as_str(),
            &idempotency_key,
        )
        .await
        .map_err(ledger_error)?;
        wake_relay(ctx);
        Ok(Payment(payment))
    }
}

/// The events just written go out now rather than at the relay's next poll.
fn wake_relay(ctx: &Context<'_>) {
    if let Ok(relay) = ctx.data::<shop_events::outbox::Relay>() {
        relay.wake();
    }
}

fn ledger_error(err: LedgerError) -> async_graphql::Error {
    let code = match &err {
        LedgerError::NonPositiveAmount(_)
        | LedgerError::InvalidCurrency(_)
        | LedgerError::InvalidIdempotencyKey
        | LedgerError::NotRefundable(_) => "BAD_USER_INPUT",
        LedgerError::KeyReused => "CONFLICT",
        LedgerError::PaymentNotFound(_) => "NOT_FOUND",
        LedgerError::Db(db) => return shop_common::errors::internal_error("payment failed", db),
    };
    coded_error(code, err.to_string())
}
