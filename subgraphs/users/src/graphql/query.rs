//! Reading users: the caller (`me`), any user by id, and the federation entity
//! resolver through which other subgraphs' `User` references are completed.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use shop_common::CurrentUser;

use super::errors::database_error;
use super::types::User;
use crate::accounts::Accounts;

pub struct Query;

#[Object]
impl Query {
    /// The signed-in user; an `UNAUTHENTICATED` error without a valid bearer token.
    /// Null when the token is valid but its account no longer exists.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let claims = CurrentUser::from_ctx(ctx)?;
        load(ctx, &claims.sub).await
    }

    /// A user by id; null when there is none.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        load(ctx, &id).await
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        load(ctx, &id).await
    }
}

async fn load(ctx: &Context<'_>, id: &str) -> Result<Option<User>> {
    let accounts = ctx.data::<Arc<Accounts>>()?;
    accounts
        .find(id)
        .await
        .map(|row| row.map(User::from))
        .map_err(|err| database_error("loading a user", err))
}
