//! `Money`: integer minor units plus an ISO 4217 code, never a float. Every subgraph
//! that uses money exposes this identical `@shareable` type, so it is defined once
//! here and each service's schema still emits the same `type Money @shareable`.

use async_graphql::SimpleObject;

use crate::errors::internal_error;

// A plain comment rather than a doc comment on the type: a description would be
// emitted into every subgraph's SDL and change the committed schemas.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
#[graphql(shareable)]
pub struct Money {
    pub amount_cents: i32,
    pub currency: String,
}

impl Money {
    /// From a stored amount. Amounts are validated to fit 32 bits when written, so
    /// a value that does not fit means the row was written by something else.
    pub fn from_stored(amount_cents: i64, currency: &str) -> async_graphql::Result<Money> {
        let amount_cents = i32::try_from(amount_cents).map_err(|_| {
            internal_error(
                "stored amount out of range",
                format!("{amount_cents} {currency}"),
            )
        })?;
        Ok(Money {
            amount_cents,
            currency: currency.to_owned(),
        })
    }
}
