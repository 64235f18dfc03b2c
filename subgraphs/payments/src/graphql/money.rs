//! `Money` is the `@shareable` type every subgraph that uses money shares (defined
//! once in `shop_common`); `MoneyInput` is the amount a client asks to charge.

pub use shop_common::money::Money;

/// An amount a client asks to charge.
#[derive(async_graphql::InputObject, Clone, Debug)]
pub struct MoneyInput {
    pub amount_cents: i32,
    pub currency: String,
}
