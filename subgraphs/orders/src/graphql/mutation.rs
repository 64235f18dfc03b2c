//! `placeOrder` and `cancelOrder`, for the signed-in customer.

use async_graphql::{Context, ID, InputObject, Object};
use shop_common::card::CardDetails;
use shop_common::directives::authenticated;
use shop_common::{Caller, coded_error};

use super::Order;
use crate::saga::{Checkout, CheckoutError, PlaceOrder};

/// One line of an order.
#[derive(InputObject)]
pub struct OrderLineInput {
    pub product_id: ID,
    /// Must be positive.
    pub quantity: i32,
}

/// Card details: checked (number checksum, expiry, CVC) before anything is
/// stored, passed on to payments for the charge, and never stored here.
#[derive(InputObject)]
pub struct CardInput {
    /// Spaces and dashes are ignored.
    pub number: String,
    pub expiry_month: i32,
    /// Four digits, e.g. 2030.
    pub expiry_year: i32,
    pub cvc: String,
}

#[derive(InputObject)]
pub struct PlaceOrderInput {
    pub items: Vec<OrderLineInput>,
    pub card: CardInput,
    /// Chosen by the client, unique per checkout: a retry with the same key (and
    /// the same items) returns the first order instead of placing another; the key
    /// reused for other items is a `CONFLICT`.
    pub idempotency_key: String,
}

pub struct Mutation;

#[Object]
impl Mutation {
    /// Places an order at the current prices: reserves the stock, charges the card,
    /// and answers with the order in its final status: `CONFIRMED`; `REJECTED` when
    /// stock is short (`statusReason` names the product; nothing charged);
    /// `PAYMENT_FAILED` when the card is declined (the stock goes back). When another
    /// service is unavailable the order comes back `PENDING` or `RESERVED` and
    /// finishes in the background. An invalid card (number failing its checksum,
    /// expired, bad CVC) is `BAD_USER_INPUT` and creates nothing; after too many
    /// failed payments the customer gets `RATE_LIMITED` for a while.
    #[graphql(directive = authenticated::apply())]
    async fn place_order(
        &self,
        ctx: &Context<'_>,
        input: PlaceOrderInput,
    ) -> async_graphql::Result<Order> {
        let claims = Caller::from_ctx(ctx).user()?;
        let request = PlaceOrder {
            items: input
                .items
                .into_iter()
                .map(|line| (line.product_id.to_string(), line.quantity))
                .collect(),
            card: CardDetails::new(
                input.card.number,
                input.card.expiry_month,
                input.card.expiry_year,
                input.card.cvc,
            ),
            idempotency_key: input.idempotency_key,
        };
        ctx.data::<Checkout>()?
            .place(&claims.sub, request)
            .await
            .map(Order)
            .map_err(checkout_error)
    }

    /// Cancels a `CONFIRMED` order of the signed-in customer (any order, for an
    /// admin): the payment is refunded and the stock returned (both follow from the
    /// `order.cancelled` event). Someone else's order answers as missing.
    #[graphql(directive = authenticated::apply())]
    async fn cancel_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Order> {
        let claims = Caller::from_ctx(ctx).user()?;
        ctx.data::<Checkout>()?
            .cancel(claims, id.as_str())
            .await
            .map(Order)
            .map_err(checkout_error)
    }
}

fn checkout_error(err: CheckoutError) -> async_graphql::Error {
    use crate::repository::OrderError;
    let code = match &err {
        CheckoutError::BadInput(_)
        | CheckoutError::InvalidCard(_)
        | CheckoutError::UnknownProduct(_)
        | CheckoutError::NotCancellable(_) => "BAD_USER_INPUT",
        CheckoutError::KeyReused => "CONFLICT",
        CheckoutError::TooManyDeclines(limited) => {
            return limited.into_error("too many failed payments");
        }
        CheckoutError::NotFound(_) => "NOT_FOUND",
        CheckoutError::Order(OrderError::Db(db)) | CheckoutError::Db(db) => {
            return shop_common::errors::internal_error("checkout failed", db);
        }
        CheckoutError::Order(_) => "BAD_USER_INPUT",
        CheckoutError::Unavailable(call) => {
            return shop_common::errors::internal_error(
                "a service the checkout needs is unavailable",
                call,
            );
        }
    };
    coded_error(code, err.to_string())
}
