//! The `Order` entity as seen from payments: the orders subgraph owns it; this one
//! adds `Order.payment`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use shop_common::Caller;
use shop_common::auth::scopes;
use shop_common::errors::internal_error;

use super::Payment;
use super::loader::OrderPaymentLoader;

pub struct Order {
    pub id: ID,
}

#[Object]
impl Order {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// The order's charge: null when nothing was charged yet, or when the caller is
    /// neither the payer, nor an admin, nor a service allowed to read payments.
    async fn payment(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Payment>> {
        let payment = ctx
            .data::<DataLoader<OrderPaymentLoader>>()?
            .load_one(self.id.to_string())
            .await
            .map_err(|e| internal_error("cannot load the order's payment", e))?;
        let caller = Caller::from_ctx(ctx);
        Ok(payment
            .filter(|p| caller.may_read(&p.user_id, scopes::PAYMENTS_READ))
            .map(Payment))
    }
}
