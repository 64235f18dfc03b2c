//! `Product` as inventory sees it: the products service's entity, extended with
//! stock and a shipping estimate that needs the (external) price and weight.

use async_graphql::{ID, Object, Result};
use shop_common::coded_error;

use crate::model::{Money, RequiredPrice};
use crate::shipping::shipping_estimate_cents;

/// Built by the entity resolver from a representation (`id`, and `price` /
/// `weightGrams` when the router needs `shippingEstimate`) plus our stock row.
pub struct Product {
    pub id: ID,
    pub price: Option<RequiredPrice>,
    pub weight_grams: Option<i32>,
    /// Units available to reserve; 0 for products inventory has never stocked.
    pub available: i64,
}

#[Object]
impl Product {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// Owned by the products service; known here only from representations.
    /// Non-null as in products: an `@external` field must keep its owner's type.
    #[graphql(external)]
    async fn price(&self) -> Result<Money> {
        let price = self.price.as_ref().ok_or_else(|| missing("price"))?;
        Ok(Money {
            amount_cents: price.amount_cents,
            currency: price.currency.clone(),
        })
    }

    /// Owned by the products service; known here only from representations.
    #[graphql(external)]
    async fn weight_grams(&self) -> Result<i32> {
        self.weight_grams.ok_or_else(|| missing("weightGrams"))
    }

    /// Units available to reserve now.
    async fn stock(&self) -> i32 {
        i32::try_from(self.available).unwrap_or(i32::MAX)
    }

    async fn in_stock(&self) -> bool {
        self.available > 0
    }

    /// Shipping for one unit, in the product's currency: free from 100.00,
    /// otherwise 4.99 plus 1 cent per started 10 g.
    #[graphql(requires = "price { amountCents currency } weightGrams")]
    async fn shipping_estimate(&self) -> Result<Money> {
        let price = self.price.as_ref().ok_or_else(|| missing("price"))?;
        let weight = self.weight_grams.ok_or_else(|| missing("weightGrams"))?;
        let cents = shipping_estimate_cents(price.amount_cents.into(), weight.into());
        Ok(Money {
            amount_cents: i32::try_from(cents).unwrap_or(i32::MAX),
            currency: price.currency.clone(),
        })
    }
}

/// An external field the representation did not carry: the caller (the router)
/// must pass it, as `@requires` says.
fn missing(field: &str) -> async_graphql::Error {
    coded_error(
        "BAD_USER_INPUT",
        format!("the Product representation has no `{field}`: it comes from the products service"),
    )
}
