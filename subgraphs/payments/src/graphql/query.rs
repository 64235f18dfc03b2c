//! Root fields and the entity resolvers the router calls through `_entities`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use shop_common::auth::scopes;
use shop_common::errors::internal_error;
use shop_common::{Caller, coded_error};

use super::loader::PaymentLoader;
use super::{Order, Payment};

pub struct Query;

#[Object]
impl Query {
    /// One of the signed-in user's payments (any, for an admin). Someone else's
    /// payment answers exactly like a missing one (null and `NOT_FOUND`).
    async fn payment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Payment>> {
        Caller::from_ctx(ctx).user()?;
        match load(ctx, &id).await? {
            Some(payment) => Ok(Some(payment)),
            None => Err(coded_error(
                "NOT_FOUND",
                format!("no payment with id {}", id.as_str()),
            )),
        }
    }

    /// `Payment` by key. The owner check holds here too (the router is not the only
    /// thing on the network): someone else's payment resolves to null, like a
    /// missing one.
    #[graphql(entity)]
    async fn find_payment_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Payment>> {
        load(ctx, &id).await
    }

    /// `Order` by key: a stub carrying the id, so the router can ask for `payment`,
    /// which is owner-checked itself.
    #[graphql(entity)]
    async fn find_order_by_id(&self, id: ID) -> Order {
        Order { id }
    }
}

/// Through the loader, so that the lookups of one request share a query; only what
/// the caller may read (its own, or any for an admin or a service allowed to).
async fn load(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Payment>> {
    let payment = ctx
        .data::<DataLoader<PaymentLoader>>()?
        .load_one(id.to_string())
        .await
        .map_err(|e| internal_error("cannot load payment", e))?;
    let caller = Caller::from_ctx(ctx);
    Ok(payment
        .filter(|p| caller.may_read(&p.user_id, scopes::PAYMENTS_READ))
        .map(Payment))
}
