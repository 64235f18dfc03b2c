//! `Money` is the `@shareable` type every subgraph that uses money shares (defined
//! once in `shop_common`); `MoneyInput` is the amount the checkout asks to charge.

pub use shop_common::money::Money;

/// An amount the checkout asks to charge (internal, like `processPayment`).
#[derive(async_graphql::InputObject, Clone, Debug)]
#[graphql(inaccessible)]
pub struct MoneyInput {
    pub amount_cents: i32,
    pub currency: String,
}
