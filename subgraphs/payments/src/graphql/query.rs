//! Root fields and the entity resolvers the router calls through `_entities`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use shop_common::errors::internal_error;
use shop_common::{CurrentUser, coded_error};

use super::loader::PaymentLoader;
use super::{Order, Payment};

pub struct Query;

#[Object]
impl Query {
    /// One of the signed-in user's payments. Someone else's payment answers exactly
    /// like a missing one (null and `NOT_FOUND`).
    async fn payment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Payment>> {
        let claims = CurrentUser::from_ctx(ctx)?;
        match load(ctx, &id).await? {
            Some(payment) if payment.0.user_id == claims.sub => Ok(Some(payment)),
            _ => Err(coded_error(
                "NOT_FOUND",
                format!("no payment with id {}", id.as_str()),
            )),
        }
    }

    /// `Payment` by key, for the router. No owner check, deliberately: subgraphs are
    /// reachable only by the router, which reaches a payment only through an
    /// owner-checked path (`payment`, the mutations, or an order its owner read).
    #[graphql(entity)]
    async fn find_payment_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Payment>> {
        load(ctx, &id).await
    }

    /// `Order` by key: a stub carrying the id, so the router can ask for `payment`.
    /// Orders are owner-checked by the orders subgraph, where the router finds them.
    #[graphql(entity)]
    async fn find_order_by_id(&self, id: ID) -> Order {
        Order { id }
    }
}

/// Through the loader, so that the lookups of one request share a query.
async fn load(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Payment>> {
    let payment = ctx
        .data::<DataLoader<PaymentLoader>>()?
        .load_one(id.to_string())
        .await
        .map_err(|e| internal_error("cannot load payment", e))?;
    Ok(payment.map(Payment))
}
