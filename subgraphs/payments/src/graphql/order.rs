//! The `Order` entity as seen from payments: the orders subgraph owns it; this one
//! adds `Order.payment`.

use async_graphql::{Context, ID, Object};

use super::{Payment, db_error};
use crate::ledger;

pub struct Order {
    pub id: ID,
}

#[Object]
impl Order {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// The payment that stands for this order: the latest one that was not declined,
    /// else the latest attempt; null when nothing was charged yet.
    async fn payment(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Payment>> {
        let payment = ledger::payment_of_order(super::db(ctx)?, self.id.as_str())
            .await
            .map_err(db_error("cannot load the order's payment"))?;
        Ok(payment.map(Payment))
    }
}
