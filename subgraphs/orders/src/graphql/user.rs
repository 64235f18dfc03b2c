//! The `User` entity as seen from orders: the users subgraph owns it; this one adds
//! `User.orders`.

use async_graphql::{Context, ID, Object};
use shop_common::{CurrentUser, coded_error};

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

    /// The user's orders, newest first. Only the user themselves may list them:
    /// anyone else, even signed in, gets `FORBIDDEN`.
    async fn orders(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Order>> {
        let claims = CurrentUser::from_ctx(ctx)?;
        if claims.sub != self.id.as_str() {
            return Err(coded_error(
                "FORBIDDEN",
                "only the user themselves may list their orders",
            ));
        }
        orders_of(ctx, &claims.sub).await
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
