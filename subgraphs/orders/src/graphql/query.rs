//! Root fields and the entity resolvers the router calls through `_entities`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use shop_common::{CurrentUser, coded_error};

use super::loader::OrderLoader;
use super::user::orders_of;
use super::{Order, User};

pub struct Query;

#[Object]
impl Query {
    /// One of the signed-in user's orders. Someone else's order answers exactly like
    /// a missing one (null and `NOT_FOUND`), so ids cannot be probed.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Order>> {
        let claims = CurrentUser::from_ctx(ctx)?;
        match load(ctx, &id).await? {
            Some(order) if order.0.order.user_id == claims.sub => Ok(Some(order)),
            _ => Err(coded_error(
                "NOT_FOUND",
                format!("no order with id {}", id.as_str()),
            )),
        }
    }

    /// The signed-in user's orders, newest first.
    async fn my_orders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Order>> {
        let claims = CurrentUser::from_ctx(ctx)?;
        orders_of(ctx, &claims.sub).await
    }

    /// `Order` by key, for the router. There is deliberately no owner check here:
    /// subgraphs are reachable only by the router, and the router only reaches an
    /// order through an owner-checked field (`order`, `myOrders`, `User.orders`) or
    /// through another subgraph's reference the client was already allowed to see.
    /// Checking here too would break legitimate plans whose entity fetches carry no
    /// user context (the router forwards the token, but service-to-service calls,
    /// such as the checkout saga's, may not).
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

/// Through the loader, so that the lookups of one request share their queries.
async fn load(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Order>> {
    let order = ctx
        .data::<DataLoader<OrderLoader>>()?
        .load_one(id.to_string())
        .await
        .map_err(|e| shop_common::errors::internal_error("cannot load order", e))?;
    Ok(order.map(Order))
}
