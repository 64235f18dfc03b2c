//! Creating accounts and signing in; both answer with a token and the user.

use std::sync::Arc;

use async_graphql::{Context, Object, Result};

use super::errors::account_error;
use super::types::{AuthPayload, SignUpInput};
use crate::accounts::Accounts;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Creates an account. Codes: `BAD_USER_INPUT` (malformed e-mail, empty or
    /// long name, weak password; `extensions.field` names the field), `CONFLICT`
    /// (the e-mail already has an account).
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let accounts = ctx.data::<Arc<Accounts>>()?;
        accounts
            .sign_up(input.into())
            .await
            .map(AuthPayload::from)
            .map_err(|err| account_error("signing up", err))
    }

    /// Signs in. `UNAUTHENTICATED` for an unknown e-mail or a wrong password alike.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        #[graphql(secret)] password: String,
    ) -> Result<AuthPayload> {
        let accounts = ctx.data::<Arc<Accounts>>()?;
        accounts
            .sign_in(&email, password)
            .await
            .map(AuthPayload::from)
            .map_err(|err| account_error("signing in", err))
    }
}
