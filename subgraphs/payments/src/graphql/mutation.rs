//! `processPayment`: the checkout's charge of an order. Internal: `@inaccessible`
//! in the supergraph, and refused unless the caller is a service whose token grants
//! `payments:charge`. Customers never charge (or refund) anything themselves: the
//! orders service charges an order's stored total on behalf of its owner, and money
//! goes back only when payments hears that an order was cancelled or failed.

use async_graphql::{Context, ID, InputObject, Object};
use shop_common::auth::scopes;
use shop_common::card::{self, CardDetails};
use shop_common::{Caller, coded_error};

use super::{MoneyInput, Payment};
use crate::ledger::{self, ChargeRequest, LedgerError};
use crate::processor::TestCardProcessor;

/// Card details for a charge. Only the brand and the last four digits are ever
/// stored.
#[derive(InputObject)]
#[graphql(inaccessible)]
pub struct ChargeCardInput {
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
    /// Charges `card` for an order, on behalf of its owner `customerId`. At most one
    /// charge per order: a retry with the same request returns the first payment;
    /// the same order with another amount, payer or card is a `CONFLICT`. An
    /// invalid card is `BAD_USER_INPUT` and records nothing; a declined card records
    /// a `DECLINED` payment with its reason.
    #[graphql(inaccessible)]
    async fn process_payment(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        customer_id: ID,
        amount: MoneyInput,
        card: ChargeCardInput,
    ) -> async_graphql::Result<Payment> {
        let service = Caller::from_ctx(ctx).service(scopes::PAYMENTS_CHARGE)?;
        let details = CardDetails::new(card.number, card.expiry_month, card.expiry_year, card.cvc);
        let card = card::validate(&details, chrono::Utc::now().date_naive())
            .map_err(|err| coded_error("BAD_USER_INPUT", err.to_string()))?;
        let request = ChargeRequest {
            user_id: customer_id.as_str(),
            order_id: order_id.as_str(),
            amount_cents: i64::from(amount.amount_cents),
            currency: &amount.currency,
            card: &card,
        };
        let processor = ctx.data::<TestCardProcessor>()?;
        let payment = ledger::charge(super::db(ctx)?, processor, request)
            .await
            .map_err(ledger_error)?;
        tracing::info!(service = %service.sub, order = %order_id.as_str(), payment = %payment.id, status = ?payment.status, "charge");
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
        | LedgerError::InvalidOrderId => "BAD_USER_INPUT",
        LedgerError::KeyReused => "CONFLICT",
        LedgerError::Db(db) => return shop_common::errors::internal_error("payment failed", db),
    };
    coded_error(code, err.to_string())
}
