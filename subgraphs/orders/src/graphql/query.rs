//! Root fields and the entity resolvers the router calls through `_entities`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use shop_common::auth::scopes;
use shop_common::directives::authenticated;
use shop_common::{Caller, coded_error};

use super::loader::OrderLoader;
use super::user::orders_of;
use super::{Order, User};

pub struct Query;

#[Object]
impl Query {
    /// One of the signed-in user's orders (any, for an admin). Someone else's order
    /// answers exactly like a missing one (null and `NOT_FOUND`), so ids cannot be
    /// probed.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Order>> {
        Caller::from_ctx(ctx).user()?;
        match load(ctx, &id).await? {
            Some(order) => Ok(Some(order)),
            None => Err(coded_error(
                "NOT_FOUND",
                format!("no order with id {}", id.as_str()),
            )),
        }
    }

    /// The signed-in user's orders, newest first.
    #[graphql(directive = authenticated::apply())]
    async fn my_orders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Order>> {
        let claims = Caller::from_ctx(ctx).user()?;
        orders_of(ctx, &claims.sub).await
    }

    /// `Order` by key. The owner check holds here too (the router is not the only
    /// thing on the network, and a `Payment.order` reference could name anyone's
    /// order): someone else's order resolves to null, like a missing one. The router
    /// forwards the customer's token, so an owner reaching their order through
    /// another subgraph sees it.
    #[graphql(entity)]
    async fn find_order_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Order>> {
        load(ctx, &id).await
    }

    /// `User` by key: a stub carrying the id, so the router can ask for `orders`.
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id }
    }
}

/// Through the loader, so that the lookups of one request share their queries; only
/// what the caller may read (its own, or any for an admin or a service allowed to).
async fn load(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Order>> {
    let order = ctx
        .data::<DataLoader<OrderLoader>>()?
        .load_one(id.to_string())
        .await
        .map_err(|e| shop_common::errors::internal_error("cannot load order", e))?;
    let caller = Caller::from_ctx(ctx);
    Ok(order
        .filter(|o| caller.may_read(&o.order.user_id, scopes::ORDERS_READ))
        .map(Order))
}
