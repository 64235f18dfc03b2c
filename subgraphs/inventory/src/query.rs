//! The root `Query`: reservations by id and the `Product` entity resolver.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use shop_common::Caller;
use shop_common::auth::scopes;
use shop_common::errors::internal_error;

use crate::error::InventoryError;
use crate::loader::StockLoader;
use crate::model::{RequiredPrice, Reservation};
use crate::product::Product;
use crate::reservations::Reservations;

pub struct Query;

#[Object]
impl Query {
    /// A reservation by id, or null. Internal: needs a service token with
    /// `stock:read` (reservations belong to orders, which only services hold).
    #[graphql(inaccessible)]
    async fn reservation(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Reservation>> {
        Caller::from_ctx(ctx).service(scopes::STOCK_READ)?;
        reservations(ctx)?
            .get(&id)
            .await
            .map_err(InventoryError::into_graphql)
    }

    /// Resolves `Product` representations: `id` is the key; `price` and
    /// `weightGrams` arrive when the router needs `shippingEstimate`.
    #[graphql(entity)]
    async fn find_product_by_id(
        &self,
        ctx: &Context<'_>,
        #[graphql(key)] id: ID,
        price: Option<RequiredPrice>,
        weight_grams: Option<i32>,
    ) -> Result<Product> {
        let available = ctx
            .data::<DataLoader<StockLoader>>()
            .map_err(|e| internal_error("stock loader missing from the schema", e.message))?
            .load_one(id.to_string())
            .await
            .map_err(|e| e.to_graphql())?;
        Ok(Product {
            available: available.unwrap_or(0),
            id,
            price,
            weight_grams,
        })
    }
}

pub(crate) fn reservations<'a>(ctx: &'a Context<'_>) -> Result<&'a Reservations> {
    ctx.data::<Reservations>()
        .map_err(|e| internal_error("reservations missing from the schema", e.message))
}
