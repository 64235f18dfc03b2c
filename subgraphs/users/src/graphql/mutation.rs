//! Creating accounts and signing in; both answer with a token and the user.

use std::sync::Arc;

use async_graphql::{Context, Object, Result};
use shop_common::client_ip::ClientIp;

use super::errors::account_error;
use super::types::{AuthPayload, SignUpInput};
use crate::accounts::Accounts;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Creates an account. Codes: `BAD_USER_INPUT` (malformed e-mail, empty or
    /// long name, weak password; `extensions.field` names the field), `CONFLICT`
    /// (the e-mail already has an account), `RATE_LIMITED` (too many sign-ups from
    /// this address; `extensions.retryAfterSeconds` says when to try again).
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let accounts = ctx.data::<Arc<Accounts>>()?;
        accounts
            .sign_up(input.into(), client(ctx))
            .await
            .map(AuthPayload::from)
            .map_err(|err| account_error("signing up", err))
    }

    /// Signs in. `UNAUTHENTICATED` for an unknown e-mail or a wrong password alike;
    /// `RATE_LIMITED` after too many failures for the account or from this address
    /// (`extensions.retryAfterSeconds` says when to try again).
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        #[graphql(secret)] password: String,
    ) -> Result<AuthPayload> {
        let accounts = ctx.data::<Arc<Accounts>>()?;
        accounts
            .sign_in(&email, password, client(ctx))
            .await
            .map(AuthPayload::from)
            .map_err(|err| account_error("signing in", err))
    }
}

/// The client's address, as the server worked it out.
fn client(ctx: &Context<'_>) -> ClientIp {
    ctx.data_opt::<ClientIp>()
        .copied()
        .unwrap_or(ClientIp(None))
}
