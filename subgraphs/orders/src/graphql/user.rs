//! The `User` entity as seen from orders: the users subgraph owns it; this one adds
//! `User.orders`.

use async_graphql::{Context, ID, Object};
use shop_common::Caller;
use shop_common::auth::{personal_field_error, scopes};

use super::Order;
use crate::repository;

pub struct User {
    pub id: ID,
}

#[Object]
impl User {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// The user's orders, newest first. Personal: the user themselves and admins
    /// may list them; anyone else gets `FORBIDDEN`.
    async fn orders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Order>> {
        if !Caller::from_ctx(ctx).may_read(self.id.as_str(), scopes::ORDERS_READ) {
            return Err(personal_field_error("User.orders"));
        }
        orders_of(ctx, self.id.as_str()).await
    }
}

/// `user_id`'s orders as GraphQL objects.
pub(super) async fn orders_of(
    ctx: &Context<'_>,
    user_id: &str,
) -> async_graphql::Result<Vec<Order>> {
    let orders = repository::orders_of_user(super::db(ctx)?, user_id)
        .await
        .map_err(|e| shop_common::errors::internal_error("cannot load orders", e))?;
    Ok(orders.into_iter().map(Order).collect())
}
