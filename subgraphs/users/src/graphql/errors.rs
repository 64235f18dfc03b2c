//! How account failures appear to clients: a message they can show and an
//! `extensions.code` they can branch on; internals are logged, never returned.

use async_graphql::ErrorExtensions;
use shop_common::coded_error;
use shop_common::errors::internal_error;

use crate::accounts::AccountError;

pub fn account_error(context: &str, err: AccountError) -> async_graphql::Error {
    match err {
        AccountError::InvalidInput(invalid) => {
            let field = invalid.field;
            coded_error("BAD_USER_INPUT", invalid.message)
                .extend_with(|_, ext| ext.set("field", field))
        }
        AccountError::EmailTaken => coded_error("CONFLICT", err.to_string()),
        AccountError::InvalidCredentials => coded_error("UNAUTHENTICATED", err.to_string()),
        AccountError::RateLimited(refused) => refused.limited.into_error(refused.what),
        AccountError::NoSuchAccount(_) => coded_error("NOT_FOUND", err.to_string()),
        AccountError::Database(_) | AccountError::Password(_) | AccountError::Token(_) => {
            internal_error(context, err)
        }
    }
}

pub fn database_error(context: &str, err: impl std::fmt::Display) -> async_graphql::Error {
    internal_error(context, err)
}
