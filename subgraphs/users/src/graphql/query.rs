//! Reading users: the caller (`me`), any user by id, and the federation entity
//! resolver through which other subgraphs' `User` references are completed.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use shop_common::Caller;
use shop_common::directives::authenticated;

use super::errors::database_error;
use super::loader::UserLoader;
use super::types::User;
use crate::accounts::Accounts;

pub struct Query;

#[Object]
impl Query {
    /// The signed-in user; an `UNAUTHENTICATED` error without a valid bearer token.
    /// Null when the token is valid but its account no longer exists.
    #[graphql(directive = authenticated::apply())]
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let claims = Caller::from_ctx(ctx).user()?;
        let accounts = ctx.data::<Arc<Accounts>>()?;
        accounts
            .find(&claims.sub)
            .await
            .map(|row| row.map(User::from))
            .map_err(|err| database_error("loading the signed-in user", err))
    }

    /// A user by id; null when there is none. Personal fields (`email`) are for
    /// the user themselves and admins only.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        load(ctx, &id).await
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        load(ctx, &id).await
    }
}

/// Through the loader, so that the lookups of one request share a query.
async fn load(ctx: &Context<'_>, id: &str) -> Result<Option<User>> {
    ctx.data::<DataLoader<UserLoader>>()?
        .load_one(id.to_owned())
        .await
        .map(|row| row.map(User::from))
        .map_err(|err| database_error("loading a user", err))
}
